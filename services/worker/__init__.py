"""The Faust worker: one thin agent per input topic."""
