"""What readers get: the published warehouse file, readers that see each publish, and the ML exports."""
