import pytest

from factory_tui.engine.config import Config, validate, warnings


def test_defaults_are_the_spec_defaults():
    assert Config() == Config(n=10, p=1, c=1, k=-1, buffer=10, id_buffer=0, stop="drain")


@pytest.mark.parametrize(
    "setting, value, words",
    [
        ("n", "abc", "-n: 'abc' is not a whole number; allowed: a whole number from 0 to 1,000,000,000"),
        ("n", "-1", "-n: '-1' is too small"),
        ("n", "1000000001", "-n: '1000000001' is too large"),
        ("n", "99999999999999999999999999", "is too large"),
        ("n", "1.5", "is not a whole number"),
        ("n", "", "-n: '' is empty"),
        ("p", "0", "-p: '0' is too small; allowed: a whole number from 1 to 512"),
        ("p", "513", "-p: '513' is too large"),
        ("c", "0", "-c: '0' is too small"),
        ("c", "x", "-c: 'x' is not a whole number"),
        ("k", "three", "-k: 'three' is not a whole number"),
        ("buffer", "0", "--buffer: '0' is too small; allowed: a whole number >= 1"),
        ("id_buffer", "-1", "--id-buffer: '-1' is too small"),
        ("stop", "sometimes", "--stop: 'sometimes' is not a known choice; allowed: one of drain, strict, abort"),
        ("produce_ms", "-5", "--produce-ms: '-5' is too small"),
        ("consume_ms", "nan", "--consume-ms: 'nan' is not a finite number"),
        ("consume_ms", "inf", "is not a finite number"),
        ("jitter", "1.5", "--jitter: '1.5' is too large; allowed: a number from 0 to 1"),
        ("jitter", "-0.1", "is too small"),
        ("seed", "x", "--seed: 'x' is not a whole number"),
    ],
)
def test_each_bad_value_is_named_with_what_is_allowed(setting, value, words):
    config, errors = validate({setting: value})
    assert config is None
    assert len(errors) == 1
    assert errors[0].setting == setting
    assert words in errors[0].message
    assert "\n" not in errors[0].message


@pytest.mark.parametrize(
    "raw, expected",
    [
        ({"n": "0"}, {"n": 0}),
        ({"n": "1000000000"}, {"n": 1_000_000_000}),
        ({"k": "-7"}, {"k": -7}),
        ({"p": "512", "c": "512"}, {"p": 512, "c": 512}),
        ({"jitter": "1"}, {"jitter": 1.0}),
        ({"seed": ""}, {"seed": None}),
        ({"seed": "42"}, {"seed": 42}),
        ({"stop": "abort"}, {"stop": "abort"}),
        ({"n": " 12 "}, {"n": 12}),
    ],
)
def test_good_values_parse(raw, expected):
    config, errors = validate(raw)
    assert errors == []
    for key, value in expected.items():
        assert getattr(config, key) == value


def test_every_bad_setting_is_reported_not_just_the_first():
    config, errors = validate({"n": "x", "p": "0", "jitter": "2"})
    assert config is None
    assert [e.setting for e in errors] == ["n", "p", "jitter"]


def test_spelling_names_the_setting_as_the_person_wrote_it():
    _, errors = validate({"p": "0"}, {"p": "producers (p)"})
    assert errors[0].message.startswith("producers (p): '0' is too small")


def test_k_above_n_warns_but_is_allowed():
    config, errors = validate({"n": "5", "k": "9"})
    assert not errors
    assert any("no widget will be broken" in w for w in warnings(config))
    assert warnings(Config(n=5, k=3)) == []
