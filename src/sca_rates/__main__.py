from sca_rates.cli import main

main()
