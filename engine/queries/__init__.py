"""Read models: a person's inbox and a task's page (``inbox``), dashboards, the register and its CSVs
(``reporting``), and recorded choices shown with the labels the forms gave them (``option_labels``)."""
