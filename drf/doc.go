// Package drf renders and reads the wire conventions of Django REST Framework,
// which the Testpress API that examhall is compatible with runs on: Python's
// datetime and timedelta text, DRF's pagination envelope and its page
// parameters, and date-only query parameters.
package drf
