def test_the_uniis_the_fhir_export_uses_are_knowledge_with_their_sources() -> None:
    from mitra.knowledge import load

    base = load()
    mitragynine = base.ingredient("mitragynine")
    assert (mitragynine.name, mitragynine.unii) == ("MITRAGYNINE", "EP479K822J")
    assert base.ingredient("seven_oh").unii == "2T3TWA75R0"
    for ingredient in base.ingredients:
        assert [s.id for s in base.cite(ingredient.sources)] == list(ingredient.sources)
