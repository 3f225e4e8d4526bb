from .base import *  # noqa: F403

DEBUG = False
SECRET_KEY = "test-only-insecure-key"
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Tests run inside transactions; persistent connections only add noise.
DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405
# The suite makes many anonymous requests from one address; the throttling test
# turns the limit on for itself.
API_ANON_RATE = ""
