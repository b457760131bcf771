import hashlib

import factory
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from accounts.tests.factories import UserFactory
from business.tests.factories import ProgramAccountFactory
from documents.models import Document, DocumentCategory, UploadBatch
from documents.tests import samples


class DocumentCategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DocumentCategory

    name_en = factory.Sequence(lambda n: f"Product literature {n}")
    name_fr = factory.Sequence(lambda n: f"Documentation sur les produits {n}")
    position = factory.Sequence(lambda n: n)


class UploadBatchFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = UploadBatch

    program_account = factory.SubFactory(ProgramAccountFactory)
    business = factory.SelfAttribute("program_account.business")
    uploaded_by = factory.SubFactory(UserFactory)
    category = factory.SubFactory(DocumentCategoryFactory)
    case_number = "8000000683"


class DocumentFactory(factory.django.DjangoModelFactory):
    """A document whose file is really in storage: ``content=`` (a PDF by default)."""

    class Meta:
        model = Document

    batch = factory.SubFactory(UploadBatchFactory)
    business = factory.SelfAttribute("batch.business")
    program_account = factory.SelfAttribute("batch.program_account")
    uploaded_by = factory.SelfAttribute("batch.uploaded_by")
    category = factory.SelfAttribute("batch.category")
    case_number = factory.SelfAttribute("batch.case_number")
    original_name = "product-sheet.pdf"
    extension = factory.LazyAttribute(lambda d: d.original_name.rpartition(".")[2].lower())
    content_type = "application/pdf"

    @classmethod
    def _create(cls, model_class, *args, content: bytes | None = None, **kwargs):
        content = samples.pdf() if content is None else content
        kwargs.setdefault("size", len(content))
        kwargs.setdefault("sha256", hashlib.sha256(content).hexdigest())
        document = super()._create(model_class, *args, **kwargs)
        default_storage.save(document.storage_name, ContentFile(content))
        return document
