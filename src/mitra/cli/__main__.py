if __name__ == "__main__":
    from mitra.cli import main

    main()
