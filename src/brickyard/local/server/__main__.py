from brickyard.local.server.main import main

main()
