"""Outage simulation: ``values`` (parameters, events, the rate limiter), ``model`` (the
discrete-event model and the upstream rules it follows), ``scenarios`` (what breaks, summaries),
``timeline`` (text and JSON) and ``svg`` (the picture). Pure: settings in, data out."""
