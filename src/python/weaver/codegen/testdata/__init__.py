"""Bad (and a few good) component sources; each bad file says the error it must produce."""
