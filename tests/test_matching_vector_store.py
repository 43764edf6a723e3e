"""The store of sentence vectors (``matching.models.TextVector``, ``matching/vectors.py``;
docs/decisions/0067): an index build after a restart reads its nomads' vectors from the store
and encodes nothing, an edit encodes only the edited text, identical texts share a row, a
duplicate write is harmless, another backend's vectors are never reused, the prune deletes
what no current profile or demand needs and nothing else, and without a model nothing is
read or written.

The encoder is the real ONNX backend on the tiny model tests/test_semantic.py builds;
``encode_all`` is wrapped (its math runs) only to see which texts it was given."""

from __future__ import annotations

import io
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from unittest import mock

import numpy as np
import pytest
from django.core.management import call_command
from django.db import connection, connections, transaction
from django.test import override_settings
from django.utils import timezone

from nomadcloud.accounts.models import User
from nomadcloud.demands.models import Demand
from nomadcloud.matching import features, matcher, services, vectors
from nomadcloud.matching.models import TextVector
from nomadcloud.talent import personal_data as talent_personal_data
from nomadcloud.talent.models import Profile
from nomadcloud.taxonomy import embedding, lookup
from tests.builders.demands import published
from tests.builders.world import World, make_person
from tests.test_semantic import _tiny_model

pytestmark = pytest.mark.django_db

TEXTS = ["image annotation", "video editing", "barista coffee", "bookkeeping accounting"]


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _tiny_model(tmp_path_factory.mktemp("store") / "tiny")


@contextmanager
def _model(folder: Path) -> Iterator[list[str]]:
    """The tiny ONNX model active, a fresh process cache and index; yields the texts the
    encoder is given (its math runs unchanged)."""
    given: list[str] = []

    def counted(enc: embedding.Encoder, texts: list[str], *args: object, **kw: object) -> object:
        given.extend(texts)
        return real(enc, texts, *args, **kw)

    real = embedding.encode_all
    with (
        override_settings(MATCHING_EMBEDDINGS="onnx", MATCHING_EMBEDDING_MODEL=str(folder)),
        mock.patch.object(embedding, "encode_all", side_effect=counted),
    ):
        _restart()
        yield given
    _restart()


def _restart() -> None:
    """What a worker's restart forgets: the process cache of vectors and the index."""
    vectors._cache.clear()
    matcher.reset()
    lookup.forget()


def _nomad(n: int, headline: str) -> Profile:
    user: User = make_person(f"Store Nomad {n}", f"store{n}@example.com")
    profile, _ = Profile.objects.update_or_create(user=user, defaults={"headline_en": headline})
    return profile


def _prepared(text: str) -> str:
    prepared = vectors._prepared(text)
    assert prepared is not None
    return prepared


def _build_vectors() -> dict[int, np.ndarray | None]:
    """Build the index as a worker does and read back each nomad's vector."""
    index = matcher.current().index
    rows = index.vectors.array()
    found: dict[int, np.ndarray | None] = {}
    for profile in features.profiles_query():
        row = rows[index.slot_of[profile.pk]] if index.slot_of[profile.pk] < len(rows) else None
        found[profile.pk] = row.copy() if row is not None and row.any() else None
    return found


def test_a_build_after_a_restart_reads_the_store_and_encodes_nothing(model_dir: Path) -> None:
    profiles = [_nomad(i, text) for i, text in enumerate(TEXTS)]
    with _model(model_dir) as given:
        first = _build_vectors()
        assert {_prepared(t) for t in TEXTS} <= set(given)
        backend = embedding.load("onnx", str(model_dir)).active
        assert TextVector.objects.filter(backend=backend).count() == len(TEXTS)
        _restart()
        given.clear()
        second = _build_vectors()
        assert given == []  # every nomad's vector came from the store
    for profile in profiles:
        one, other = first[profile.pk], second[profile.pk]
        assert one is not None and other is not None and one.dtype == other.dtype == np.int8
        assert np.array_equal(one, other)

    # An edited profile: only its new text is encoded at the next build.
    Profile.objects.filter(pk=profiles[0].pk).update(headline_en="picture labelling")
    with _model(model_dir) as given:
        _build_vectors()
        assert given == ["picture labelling"]


def test_identical_texts_share_one_row_and_a_duplicate_write_is_harmless(model_dir: Path) -> None:
    for i in range(3):
        _nomad(i, "Video editing")  # prepared alike: casefolded
    with _model(model_dir) as given:
        found = vectors.text_vectors(["video editing", "VIDEO EDITING", "video editing"])
        assert given == ["video editing"]
        backend = embedding.load("onnx", str(model_dir)).active
        assert TextVector.objects.filter(backend=backend).count() == 1
        _build_vectors()
        assert given == ["video editing"]  # the nomads' text was cached
        # Another process wrote the same text meanwhile: the second write does nothing.
        vectors._store(backend, {"video editing": found[0]})
        vectors._store(backend, {"video editing": found[0], "barista": found[0]})
        assert TextVector.objects.filter(backend=backend).count() == 2


@pytest.mark.django_db(transaction=True)
def test_two_workers_writing_the_same_texts_at_once_both_succeed(model_dir: Path) -> None:
    """Two connections insert the same rows in overlapping transactions (on PostgreSQL the
    second waits for the first's commit, then skips the conflict)."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has one writer at a time (the duplicate write is tested above)")
    with _model(model_dir):
        backend = embedding.load("onnx", str(model_dir)).active
        found = vectors.text_vectors(TEXTS)
    TextVector.objects.all().delete()
    rows = {_prepared(t): v for t, v in zip(TEXTS, found, strict=True)}
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def write() -> None:
        try:
            with transaction.atomic():
                barrier.wait(timeout=10)
                vectors._store(backend, rows)
        except BaseException as error:  # reported by the assertion below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    assert TextVector.objects.filter(backend=backend).count() == len(TEXTS)


def test_another_backend_does_not_reuse_stored_vectors(model_dir: Path, tmp_path: Path) -> None:
    other = _tiny_model(tmp_path / "other")  # the same weights under another name
    with _model(model_dir) as given:
        vectors.text_vectors(TEXTS)
        assert len(given) == len(TEXTS)
    with _model(other) as given:
        vectors.text_vectors(TEXTS)
        assert sorted(given) == sorted(_prepared(t) for t in TEXTS)  # encoded again
    assert sorted(TextVector.objects.values_list("backend", flat=True).distinct()) == [
        "onnx:other",
        "onnx:tiny",
    ]


def test_the_prune_deletes_what_no_profile_or_demand_needs_and_nothing_else(
    model_dir: Path, world: World, django_assert_max_num_queries: object
) -> None:
    kept, edited = _nomad(1, "image annotation"), _nomad(2, "video editing")
    erased = _nomad(3, "bookkeeping accounting")
    demand_text = "barista coffee"
    with _model(model_dir):
        backend = embedding.load("onnx", str(model_dir)).active
        _build_vectors()
        vectors.text_vectors([demand_text, "bookkeeping"])  # a demand's, and one nobody's
    TextVector.objects.create(
        backend="onnx:retired", digest=vectors.digest("image annotation"), vector=b"\x01",
        created_at=timezone.now() - timedelta(days=30),
    )  # fmt: skip
    Profile.objects.filter(pk=edited.pk).update(headline_en="picture labelling")
    talent_personal_data.erase(erased.user)  # empties the profile's texts
    demand = published(world)
    Demand.objects.filter(pk=demand.pk).update(
        title_en=demand_text, title_zh="", description_zh="", description_en=""
    )
    # Written after the prune read the texts: kept, whatever its text.
    late = TextVector.objects.create(
        backend=backend, digest=vectors.digest("late"), vector=b"\x02",
        created_at=timezone.now() + timedelta(minutes=5),
    )  # fmt: skip
    with _model(model_dir), django_assert_max_num_queries(12):  # type: ignore[operator]
        deleted = services.prune_text_vectors()
    # The retired backend's row, the edited and the erased texts', nobody's "bookkeeping".
    assert deleted == 4
    left = {bytes(d) for d in TextVector.objects.values_list("digest", flat=True)}
    assert left == {
        vectors.digest("image annotation"),
        vectors.digest(demand_text),
        bytes(late.digest),
    }
    assert kept.pk
    # The command, without a model (the suite's setting): the store is emptied, nothing can
    # use its rows.
    out = io.StringIO()
    call_command("prune_text_vectors", stdout=out)
    assert "Text vectors deleted: 3" in out.getvalue()
    assert TextVector.objects.count() == 0


def test_without_a_model_nothing_is_read_or_written(
    django_assert_num_queries: object,
) -> None:
    for i, text in enumerate(TEXTS):
        _nomad(i, text)
    _restart()
    assert all(v is None for v in _build_vectors().values())
    with django_assert_num_queries(0):  # type: ignore[operator]
        assert vectors.text_vectors(TEXTS) == [None] * len(TEXTS)
    assert TextVector.objects.count() == 0
