"""The test helpers find what the suite needs wherever the checkout is."""

from __future__ import annotations

from pathlib import Path

from tests.helpers import MAIL_SAMPLES_ENV, find_mail_samples


def _corpus(folder: Path) -> Path:
    folder.mkdir(parents=True)
    (folder / "manifest.json").write_text('{"samples": []}')
    return folder


def test_the_mail_samples_are_found_beside_the_checkout_or_above_it(tmp_path):
    corpus = _corpus(tmp_path / "shared" / "mail-samples")
    beside = tmp_path / "ashiato"
    deeper = tmp_path / "work" / "trees" / "ashiato"
    for checkout in (beside, deeper):
        checkout.mkdir(parents=True)
        assert find_mail_samples(checkout, env={}) == corpus


def test_the_environment_names_the_mail_samples_first(tmp_path):
    _corpus(tmp_path / "shared" / "mail-samples")
    elsewhere = _corpus(tmp_path / "elsewhere")
    checkout = tmp_path / "ashiato"
    checkout.mkdir()
    assert find_mail_samples(checkout, env={MAIL_SAMPLES_ENV: str(elsewhere)}) == elsewhere
    # A wrong path is not silently replaced by another corpus: it is missing.
    missing = {MAIL_SAMPLES_ENV: str(tmp_path / "nowhere")}
    assert find_mail_samples(checkout, env=missing) is None


def test_without_the_mail_samples_there_is_nothing_to_find(tmp_path):
    checkout = tmp_path / "ashiato"
    checkout.mkdir()
    assert find_mail_samples(checkout, env={}) is None
