from narrator.cli.main import main

main()
