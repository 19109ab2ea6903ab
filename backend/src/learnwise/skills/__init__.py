"""Skills: the shared skill taxonomy, its prerequisite graph (a DAG), and skill references."""
