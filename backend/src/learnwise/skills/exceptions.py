"""Skill errors, each a stable problem code. A prerequisite cycle is the shared
content.exceptions.PrerequisiteCycle."""

from learnwise.errors import Conflict, InvalidInput, NotFound


class SkillNotFound(NotFound):
    code, title = "skill-not-found", "Skill not found"


class SkillSlugTaken(Conflict):
    code, title = "skill-slug-taken", "A skill with this slug already exists"


class SkillInUse(Conflict):
    code, title = "skill-in-use", "This skill is still in use"


class UnknownSkills(InvalidInput):
    """Skill references (slugs or ids) that name no skill; ``unknown`` lists them."""

    code, title = "unknown-skills", "Some skills do not exist"
