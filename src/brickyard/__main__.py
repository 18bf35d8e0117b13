from brickyard.cli.main import main

main()
