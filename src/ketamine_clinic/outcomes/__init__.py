"""Plan- and session-aware measurement: which questionnaires are due (``schedule``), score
trajectories with session markers (``trajectory``), the clinic outcomes report (``report``), and
their pages. It reads assessments, plans and treatments, so it sits above treatments."""
