"""Handler pieces every resource family shares, each taking the kind as a parameter."""
