"""tracker: an event-sourced agreement state tracker."""
