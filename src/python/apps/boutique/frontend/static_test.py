"""Tests of /static/: types, ETags, 304s, HEAD over a real server, and no way out of the folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from apps.boutique.frontend.app import make_app
from apps.boutique.frontend.static import StaticFiles
from apps.boutique.frontend.testclient import ASGITestClient
from apps.boutique.frontend.testserver import raw_request, serving
from apps.boutique.local import local_services
from apps.boutique.logic.catalog import load_products

PACKAGED = StaticFiles.packaged()


@pytest.fixture
def client() -> ASGITestClient:
    return ASGITestClient(make_app(local_services(), static=PACKAGED))


def test_every_product_picture_is_packaged_as_jpeg() -> None:
    for p in load_products():
        f = PACKAGED.files[p.picture.removeprefix("/static/")]
        assert f.content_type == "image/jpeg" and f.data[:3] == b"\xff\xd8\xff", p.picture


@pytest.mark.parametrize(
    ("path", "content_type"),
    [
        ("/static/styles.css", "text/css; charset=utf-8"),
        ("/static/favicon.svg", "image/svg+xml"),
        ("/static/favicon.ico", "image/x-icon"),
        ("/static/icons/Hipster_NavLogo.svg", "image/svg+xml"),
        ("/static/images/HeroBannerImage2.png", "image/png"),
        ("/static/img/products/mug.jpg", "image/jpeg"),
    ],
)
async def test_content_type_etag_and_cache_control(client: ASGITestClient, path: str, content_type: str) -> None:
    r = await client.request("GET", path)
    assert r.status == 200 and r.header("content-type") == content_type
    assert r.header("content-length") == str(len(r.body)) and r.body
    assert r.header("cache-control") == "public, max-age=3600"
    etag = r.header("etag")
    assert etag and etag.startswith('"') and etag.endswith('"')
    again = await client.request("GET", path, headers={"if-none-match": etag})
    assert again.status == 304 and again.body == b"" and again.header("etag") == etag
    assert again.header("content-length") is None
    weak_list = await client.request("GET", path, headers={"if-none-match": f'"other", W/{etag}'})
    assert weak_list.status == 304
    stale = await client.request("GET", path, headers={"if-none-match": '"stale"'})
    assert stale.status == 200 and stale.body == r.body


@pytest.mark.parametrize(
    "path",
    [
        "/static/../app.py",
        "/static/../../boutique/frontend/app.py",
        "/static/img/../../app.py",
        "/static//etc/passwd",
        "/static/%2e%2e/app.py",
        "/static/%2E%2E/%2E%2E/data/products.json",
        "/static/./styles.css",
        "/static/LICENSE",
        "/static/",
        "/static/img",
        "/static/img/",
        "/static/styles.css/",
        "/static/styles.css%00.png",
    ],
)
async def test_no_traversal_or_unlisted_files(client: ASGITestClient, path: str) -> None:
    r = await client.request("GET", path)
    assert r.status == 404, path
    assert r.body == b"404 page not found"


async def test_encoded_paths_and_head_over_a_real_server() -> None:
    """The server decodes `%2e%2e` and `%2f` before the app sees the path; still nothing outside."""
    async with serving(make_app(local_services(), static=PACKAGED)) as url:
        for target in ("/static/%2e%2e/app.py", "/static/%2fetc%2fpasswd", "/static/..%2f..%2fapp.py"):
            status, _, _ = await raw_request(url, "GET", target)
            assert status == 404, target
        status, headers, body = await raw_request(url, "GET", "/static/img/products/mug.jpg")
        assert status == 200 and headers["content-type"] == "image/jpeg"
        assert int(headers["content-length"]) == len(body) > 1000
        status, head_headers, head_body = await raw_request(url, "HEAD", "/static/img/products/mug.jpg")
        assert status == 200 and head_body == b""
        assert head_headers["content-length"] == headers["content-length"]
        assert head_headers["etag"] == headers["etag"]
        status, _, _ = await raw_request(url, "POST", "/static/styles.css")
        assert status == 405


def test_symlinks_out_of_the_folder_are_not_served(tmp_path: Path) -> None:
    root = tmp_path / "static"
    (root / "sub").mkdir(parents=True)
    (root / "a.css").write_text("body {}")
    secret = tmp_path / "secret.txt"
    secret.write_text("secret")
    (root / "leak.txt").symlink_to(secret)
    (root / "sub" / "out").symlink_to(tmp_path, target_is_directory=True)
    (root / "inside.css").symlink_to(root / "a.css")
    files = StaticFiles(root)
    assert sorted(files.files) == ["a.css", "inside.css"]
    assert files.respond("/static/leak.txt", {}).status == 404
    assert files.respond("/static/sub/out/secret.txt", {}).status == 404
    assert files.respond("/static/inside.css", {}).body == b"body {}"


def test_files_are_read_once_not_per_request(tmp_path: Path) -> None:
    """Changing or adding a file after start-up changes nothing: requests never touch the disk."""
    (tmp_path / "a.css").write_text("one")
    files = StaticFiles(tmp_path)
    (tmp_path / "a.css").write_text("two")
    (tmp_path / "b.css").write_text("new")
    assert files.respond("/static/a.css", {}).body == b"one"
    assert files.respond("/static/b.css", {}).status == 404

