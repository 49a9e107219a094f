// Package drf renders and reads the wire conventions of Django REST Framework,
// which the Testpress API that examhall is compatible with runs on: Python's
// datetime and timedelta text, DRF's pagination envelope and its page
// parameters, date-only query parameters, and JSON bodies read as DRF's
// serializers read them (DecodeJSON), with the text checks every input gets.
package drf
