from rjc.cli.main import main

main()
