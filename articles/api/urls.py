from rest_framework.routers import DefaultRouter

from . import views

app_name = "api"

router = DefaultRouter()
router.register("articles", views.ArticleViewSet, basename="article")
router.register("outlets", views.OutletViewSet, basename="outlet")
router.register("people", views.PersonViewSet, basename="person")
router.register("topics", views.TopicViewSet, basename="topic")
router.register("quotes", views.QuoteViewSet, basename="quote")
router.register("annotations", views.AnnotationViewSet, basename="annotation")

urlpatterns = router.urls
