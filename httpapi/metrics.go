package httpapi

import "time"

// RequestObserver is told of the requests the server answers, for metrics
// (package metrics satisfies it); its methods must return at once.
type RequestObserver interface {
	// ObserveRequest is called once a request is answered, with the
	// ServeMux pattern that served it ("" when it was answered before
	// routing: a refused Host, a request shed), its method, its status and
	// how long it took.
	ObserveRequest(route, method string, status int, elapsed time.Duration)
	// ObserveShed is called for a request refused with 503 before any work,
	// with ShedWriteQueueFull or ShedInFlightLimit.
	ObserveShed(reason string)
}

// The reasons given to RequestObserver.ObserveShed.
const (
	// ShedWriteQueueFull: a write refused while the write queue is full (shedWrites).
	ShedWriteQueueFull = "write_queue_full"
	// ShedInFlightLimit: MaxInFlight requests were being handled (limitInFlight).
	ShedInFlightLimit = "in_flight_limit"
)
