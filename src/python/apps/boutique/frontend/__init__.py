"""The Online Boutique frontend, written once: an ASGI app over the services' protocols."""
