"""Lead-time statistics: how long SMEs had to prepare a bid, and the figures behind it."""
