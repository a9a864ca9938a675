"""The home page and the navigation of the logged-in member."""
