"""The words of a path: how a step is explained to the learner. (With no language model in the
loop, explanations are built from these templates; one place to word them.)"""

PART_OF_COURSE = "part of {course}, your goal"
TEACHES_GOAL_SKILL = "teaches {skill}, one of your goals"
NEEDED_BEFORE = "needed before {title}"
BUILDS_ON = "builds on {title}"
YOUR_MASTERY = "you are at {percent}% on {skill}"
GOAL_COURSE_TITLE = "Complete {course}"
GOAL_SKILLS_TITLE = "Learn {skills}"
