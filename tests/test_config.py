"""vigie.toml validation: every error names file, entry and field."""

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from warehouse.config import load_config
from warehouse.errors import ConfigErrors

ROOT = Path(__file__).resolve().parents[1]

MINIMAL = """
[collect]
allow_private_addresses = false

[[brands]]
name = "Vidéotron"
own = true
aliases = ["Vidéotron", "@videotron"]
exclude = ["Vidéotron Centre"]

[[sources]]
name = "Le Devoir"
kind = "rss"
url = "https://www.ledevoir.com/rss/manchettes.xml"
"""


def write(tmp_path, text, name="vigie.toml"):
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def errors_of(path):
    with pytest.raises(ConfigErrors) as info:
        load_config(path)
    return [str(e) for e in info.value.errors]


def test_minimal_pinned_shape_loads(tmp_path):
    config = load_config(write(tmp_path, MINIMAL))
    assert config.collect.allow_private_addresses is False
    assert config.brands[0].name == "Vidéotron" and config.brands[0].own
    assert config.brands[0].exclude == ("Vidéotron Centre",)
    assert config.sources[0].kind == "rss"
    assert config.own_brands == ("Vidéotron",)


def test_examples_are_valid():
    for path in sorted((ROOT / "examples").glob("*.toml")):
        load_config(path)


@pytest.mark.parametrize("snippet, expected", [
    ('[[brands]]\nname = "Bell"\nalias = ["Bell"]\n', ['brands[0] "Bell", field \'alias\': unknown key (did you mean \'aliases\'?)']),
    ('[[brands]]\nname = "Bell"\naliases = []\n', ['brands[0] "Bell", field \'aliases\': a brand needs at least one alias']),
    ('[[brands]]\nname = "Bell"\naliases = "Bell"\n', ["brands[0] \"Bell\", field 'aliases': must be a list"]),
    ('[[brands]]\nname = "Bell"\naliases = ["Bell"]\n[[sources]]\nname = "A"\nkind = "rss"\nurl = "ftp://x.org/f"\n',
     ["sources[0] \"A\", field 'url': must start with http:// or https://"]),
    ('[[brands]]\nname = "Bell"\naliases = ["Bell"]\n[[sources]]\nname = "A"\nkind = "rss"\nurl = "https://a.org/f"\n'
     '[[sources]]\nname = "A"\nkind = "rss"\nurl = "https://a.org/f"\n',
     ["sources[1] \"A\", field 'name': duplicate source name", "sources[1] \"A\", field 'url': duplicate source URL"]),
    ('[[brands]]\nname = "Bell"\naliases = ["Bell"]\n[[sources]]\nname = "A"\nkind = "atom"\nurl = "https://a.org/f"\n',
     ["sources[0] \"A\", field 'kind': unknown kind 'atom'"]),
    ('[collect]\nallow_private_addresses = "yes"\n[[brands]]\nname = "Bell"\naliases = ["Bell"]\n',
     ["[collect], field 'allow_private_addresses': must be true or false"]),
    ('[database]\npath = "../../elsewhere.duckdb"\n[[brands]]\nname = "Bell"\naliases = ["Bell"]\n',
     ["[database], field 'path': '../../elsewhere.duckdb' points outside the project folder"]),
    ('[alerts]\nsmtp_password = "hunter2"\n[[brands]]\nname = "Bell"\naliases = ["Bell"]\n',
     ["[alerts], field 'smtp_password': secrets do not go in the configuration file"]),
])
def test_each_error_names_file_entry_and_field(tmp_path, snippet, expected):
    path = write(tmp_path, snippet)
    found = errors_of(path)
    for want in expected:
        assert any(want in line and line.startswith(str(path)) for line in found), (want, found)


def test_broken_toml_and_missing_file(tmp_path):
    path = write(tmp_path, "[[brands]\nname = 1")
    assert "not valid TOML" in errors_of(path)[0]
    assert "file not found" in errors_of(tmp_path / "nope.toml")[0]


def test_all_errors_reported_at_once(tmp_path):
    path = write(tmp_path, '[[brands]]\nname = "A"\naliases = []\n[[brands]]\nname = "B"\nown = "yes"\naliases=["B"]\n')
    found = errors_of(path)
    assert len(found) == 2


def test_check_command_prints_errors_without_traceback(tmp_path):
    path = write(tmp_path, '[[brands]]\nname = "Bell"\naliases = ["Bell"]\ncolour = "blue"\n')
    proc = subprocess.run([sys.executable, "-m", "crawlers", "check", "--config", str(path)],
                          capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 2
    assert "colour" in proc.stderr + proc.stdout
    assert "Traceback" not in proc.stderr
