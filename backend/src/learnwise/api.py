"""The /api/v1 router: every domain's router, mounted in one place."""

from learnwise.ai.embeddings import consumers as embedding_consumers  # noqa: F401  (relay)
from learnwise.ai.generation.router import router as ai_generation_router
from learnwise.ai.learner_model import consumers as learner_model_consumers  # noqa: F401
from learnwise.ai.paths import consumers as path_consumers  # noqa: F401  (relay consumer)
from learnwise.ai.paths.router import router as ai_paths_router
from learnwise.ai.recommend.router import router as ai_recommend_router
from learnwise.ai.reviews import consumers as review_consumers  # noqa: F401  (relay consumer)
from learnwise.ai.reviews.router import router as ai_reviews_router
from learnwise.ai.router import router as ai_router
from learnwise.analytics import consumers as analytics_consumers  # noqa: F401  (relay consumer)
from learnwise.analytics import retention as analytics_retention  # noqa: F401  (periodic job)
from learnwise.analytics.reports.router import router as reports_router
from learnwise.analytics.router import router as analytics_router
from learnwise.auth.admin_router import router as admin_router
from learnwise.auth.router import router as auth_router
from learnwise.auth.sso_router import router as sso_router
from learnwise.content.archive_router import router as course_archives_router
from learnwise.content.item_router import router as content_items_router
from learnwise.content.router import router as courses_router
from learnwise.media.router import router as media_router
from learnwise.platform.jobs.router import router as jobs_router
from learnwise.platform.routing import FlatRouter
from learnwise.progress import achievement_consumers  # noqa: F401  (registers relay consumers)
from learnwise.progress.achievement_router import router as achievements_router
from learnwise.progress.certificate_router import router as certificates_router
from learnwise.progress.router import router as progress_router
from learnwise.realtime.router import router as realtime_router
from learnwise.skills.router import router as skills_router
from learnwise.users.router import router as users_router

# Flat: every route copied in (see learnwise.platform.routing); main.py copies it into the app.
api_router = FlatRouter(prefix="/api/v1")
api_router.include_router(auth_router)
api_router.include_router(sso_router)
api_router.include_router(users_router)
api_router.include_router(admin_router)
api_router.include_router(courses_router)
api_router.include_router(course_archives_router)
api_router.include_router(content_items_router)
api_router.include_router(skills_router)
api_router.include_router(media_router)
api_router.include_router(achievements_router)
api_router.include_router(certificates_router)
api_router.include_router(progress_router)
api_router.include_router(realtime_router)
api_router.include_router(ai_generation_router)
api_router.include_router(analytics_router)
api_router.include_router(jobs_router)
api_router.include_router(reports_router)
api_router.include_router(ai_reviews_router)
api_router.include_router(ai_recommend_router)
api_router.include_router(ai_paths_router)
api_router.include_router(ai_router)
