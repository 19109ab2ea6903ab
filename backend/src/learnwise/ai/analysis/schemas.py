"""What /api/v1/ai/analyze answers."""

import uuid
from datetime import date, datetime

from pydantic import BaseModel, Field

from learnwise.ai.learner_model.schemas import SkillMastery


class SkillAnalysis(SkillMastery):
    name: str


class Pace(BaseModel):
    items_per_week: float = Field(description="Required items completed per week since enrolling.")
    remaining_items: int
    projected_completion: date | None = Field(
        description="At the current pace; none before the first completed item."
    )


class RiskFactor(BaseModel):
    kind: str = Field(description="disengagement or failure")
    weight: float = Field(description="How much it adds to the score, 0 to 1.")
    explanation: str


class Risk(BaseModel):
    score: float = Field(ge=0, le=1, description="0: on track; 1: very likely to drop or fail.")
    level: str = Field(description="low, medium or high")
    factors: list[RiskFactor]


class LearnerAnalysis(BaseModel):
    user_id: uuid.UUID
    course_id: uuid.UUID | None
    skills: list[SkillAnalysis]
    strengths: list[SkillAnalysis]
    weaknesses: list[SkillAnalysis]
    pace: Pace | None = Field(description="With a course only.")
    risk: Risk
    analyzed_at: datetime


class QuestionAnalysis(BaseModel):
    content_id: uuid.UUID
    question_id: str
    quiz_title: str
    learners: int = Field(description="Learners whose first attempt answered it.")
    difficulty: float | None = Field(description="Share of wrong first answers, 0 to 1.")
    discrimination: float | None = Field(
        description="Correlation of its answers with the rest of the quiz (-1 to 1)."
    )
    flag: str | None = Field(description="Why it may not measure what it should.")


class DropOff(BaseModel):
    content_id: uuid.UUID
    title: str
    started: int
    lost: int = Field(description="Learners who started the item before it but not this one.")
    lost_share: float


class CohortSkill(BaseModel):
    skill_id: uuid.UUID
    name: str
    learners: int
    mean_p_mastery: float
    wrong_share: float


class CourseAnalysis(BaseModel):
    course_id: uuid.UUID
    learners: int
    questions: list[QuestionAnalysis]
    flagged_questions: list[QuestionAnalysis]
    drop_off: list[DropOff]
    struggling_skills: list[CohortSkill]
    analyzed_at: datetime
