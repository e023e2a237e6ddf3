"""Ship the published version to another host: ``python -m deploy ship --to rsync://HOST/MODULE``.

A province with two hosts has one writer: imports, the Google refresh and the web's «Gửi báo cáo»
publish there (data_sources/publish/store.py). Every other host serves its own copy of the published
database, kept by this command with rsync (Debian's package, ``make cluster-deps``), pushed to an rsync
daemon on that host (a module whose path is the folder holding the database there). The order is what
keeps the other host's readers safe (core/db.py resolves the link on every rerun):

1. the version file (rsync writes it under a hidden temporary name and renames it when complete),
2. its ``.published`` marker (size and SHA-256; the other host's fallback trusts only marked versions),
3. the link, last: rsync writes a symbolic link under a temporary name and renames it over the old one,
   so the other host sees the old version or the new one, never a link to a missing file,
4. the older kept versions (fallbacks) and the removal of those the writer pruned, never the one the
   link names.

The personal links' generations (``<db>.links.json``, raised when the office revokes a unit's link) go with
each shipment, after the link, so a link shown on the other host is one the writer opens.

Before step 1 the other host's publish markers are read back: a version there that this host never
published (someone imported, or a unit's report was sent, on that host) would be overwritten and lost, so
nothing is shipped (exit 3) until an administrator has recovered it and ships with ``--force``. What this host
has shipped is remembered in ``<db>.shipped.json`` (name → SHA-256), so a version it shipped and has pruned
since is still known for its own.

``--watch``: ship at start, then again whenever the link names a new version (a systemd service on the
writer, deploy/systemd/nq71-ship.service), so every publish reaches the other hosts within seconds.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

from core.db import PUBLISHED, readable

VERSION = re.compile(r"\d{6}\.duckdb")


class ShipError(Exception):
    """Shipping failed; the other host keeps what it had. The message is for a person, in Vietnamese."""


class Diverged(ShipError):
    """The other host holds a version this one never published (someone imported or sent a report there):
    shipping would replace it, so nothing is shipped until an administrator decides (``--force``)."""


def rsync_bin() -> str:
    exe = shutil.which("rsync")
    if exe is None:
        raise ShipError("Thiếu rsync: chạy 'make cluster-deps' (root) hoặc 'apt-get install rsync' rồi chạy lại.")
    return exe


def _published(db: Path) -> list[Path]:
    d = db.with_name(f"{db.name}.versions")
    if not d.is_dir():
        return []
    return sorted(v for v in d.iterdir() if VERSION.fullmatch(v.name) and Path(f"{v}{PUBLISHED}").exists())


def current(db: Path) -> Path:
    """The version the link names, checked whole (size, SHA-256, opens): a damaged one is never shipped."""
    if not db.is_symlink():
        raise ShipError(
            f"«{db}» chưa phải cơ sở dữ liệu đã công bố (một liên kết tới phiên bản trong {db.name}.versions/): "
            "máy ghi nhập số liệu trước (python -m data_sources ingest …), rồi mới gửi."
        )
    if os.path.isabs(os.readlink(db)):
        raise ShipError(f"Liên kết «{db}» chỉ tới một đường dẫn tuyệt đối: máy kia không dùng được. Nhập lại một lần.")
    target = Path(os.path.realpath(db))
    if not Path(f"{target}{PUBLISHED}").exists():
        raise ShipError(f"Phiên bản {target.name} chưa có dấu công bố ({target.name}{PUBLISHED}): chưa gửi.")
    try:
        path, why = readable(db, check=True)
    except FileNotFoundError as e:
        raise ShipError(str(e)) from None
    if why is not None or path != target:
        raise ShipError(f"Không gửi phiên bản hỏng: {why}")
    return target


def _rsync(args: list[str], dest: str, timeout: float) -> None:
    proc = subprocess.run(
        [rsync_bin(), "--archive", "--timeout=60", *args], capture_output=True, text=True, timeout=timeout
    )
    if proc.returncode != 0:
        detail = (proc.stderr.strip().splitlines() or [f"mã thoát {proc.returncode}"])[0]
        raise ShipError(
            f"Không gửi được tới {dest} (rsync, mã {proc.returncode}: {detail}). Máy kia giữ phiên bản nó đang có; "
            "kiểm tra mạng, dịch vụ rsync trên máy kia (rsyncd.conf, hosts allow) rồi gửi lại."
        )


def _sum(marker: Path) -> str:
    """The SHA-256 a publish marker holds ("" when it holds none or cannot be read)."""
    import json

    try:
        value = json.loads(marker.read_text(encoding="utf-8") or "{}")
    except (OSError, ValueError):
        return ""
    return str(value.get("sha256") or "") if isinstance(value, dict) else ""


def _ledger(db: Path) -> Path:
    """``<db>.shipped.json``: every version this host has shipped (name → SHA-256), pruned ones included, so a
    version the other host still holds is known for this host's even after it was pruned here."""
    return Path(f"{db}.shipped.json")


def _known(db: Path) -> dict[str, str]:
    import json

    try:
        known = json.loads(_ledger(db).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        known = {}
    if not isinstance(known, dict):
        known = {}
    return {**known, **{v.name: _sum(Path(f"{v}{PUBLISHED}")) for v in _published(db)}}


def _remember(db: Path) -> None:
    import json

    known = _known(db)
    keep = dict(sorted(known.items())[-1000:])
    tmp = _ledger(db).with_name(f".{_ledger(db).name}.{os.getpid()}")
    tmp.write_text(json.dumps(keep, indent=0), encoding="utf-8")
    os.replace(tmp, _ledger(db))


def _theirs(db: Path, base: str, dest: str, timeout: float) -> str | None:
    """A version on the other host that this host did not publish, described; None when there is none. Read
    from the other host's publish markers (SHA-256): one this host never published or shipped, or whose twin
    here says otherwise, was published over there."""
    import tempfile

    known = _known(db)
    with tempfile.TemporaryDirectory(prefix="nq71-ship-") as tmp:
        folder = f"{db.name}.versions"
        _rsync([f"--include=/{folder}/", f"--include=/{folder}/*{PUBLISHED}", "--exclude=*", base, f"{tmp}/"],
               dest, timeout)  # fmt: skip
        for marker in sorted((Path(tmp) / folder).glob(f"*{PUBLISHED}")):
            name = marker.name.removesuffix(PUBLISHED)
            if not VERSION.fullmatch(name):
                continue
            if name not in known:
                return f"{name}, không phải phiên bản máy này đã công bố hay đã gửi"
            theirs_sum, mine_sum = _sum(marker), known[name]
            if theirs_sum and mine_sum and theirs_sum != mine_sum:
                return f"{name}, khác phiên bản cùng số ở máy này"
    return None


def ship(db: str | Path, dest: str, timeout: float = 3600.0, force: bool = False) -> Path:
    """Push the published version of ``db`` to ``dest`` (``rsync://HOST[:PORT]/MODULE[/FOLDER]``, or any
    rsync destination: ``HOST::MODULE``, a folder), in the order that never shows a half-shipped version.
    Refuses (:class:`Diverged`) when the other host published a version of its own, unless ``force``.
    Returns the version shipped."""
    db = Path(db)
    target = current(db)
    base = dest.rstrip("/") + "/"
    versions = f"{base}{db.name}.versions/"
    if not force and (why := _theirs(db, base, dest, timeout)) is not None:
        raise Diverged(
            f"{dest} có phiên bản {why}: có người đã nhập số liệu hay gửi báo cáo ngay trên máy đó. Chưa gửi gì, "
            "để không xóa mất phần đó (máy kia vẫn phục vụ bản nó đang có). Quản trị viên lấy lại phần đã ghi ở máy "
            "kia (nhật ký thao tác, python -m queries export trên máy đó), nhập lại ở máy ghi này, rồi gửi với --force."
        )
    _rsync([str(target), versions], dest, timeout)  # 1. the file
    _rsync([f"{target}{PUBLISHED}", versions], dest, timeout)  # 2. its marker
    _rsync([str(db), base], dest, timeout)  # 3. the link, last
    if (generations := Path(f"{db}.links.json")).exists():
        # the personal links' generations (core/links.py): links the other host shows carry the same ones
        _rsync([str(generations), base], dest, timeout)
    # 4. the fallbacks the writer keeps; what it pruned goes (a reader there holding one keeps reading it)
    keep = [f"--filter=P /{target.name}", f"--filter=P /{target.name}{PUBLISHED}"]
    for v in _published(db):
        keep += [f"--include=/{v.name}", f"--include=/{v.name}{PUBLISHED}"]
    src = f"{db.with_name(f'{db.name}.versions')}/"
    _rsync([*keep, "--exclude=*", "--delete", "--delete-excluded", src, versions], dest, timeout)
    _remember(db)
    return target


def _size(path: Path) -> str:
    return f"{path.stat().st_size / 1024 / 1024:.1f} MB".replace(".", ",")


def ship_all(db: Path, dests: list[str], force: bool = False) -> int:
    """0: shipped everywhere; 2: a shipment failed (tried again later); 3: a host diverged (a person decides)."""
    code = 0
    for dest in dests:
        start = time.monotonic()
        try:
            v = ship(db, dest, force=force)
        except (ShipError, subprocess.TimeoutExpired) as e:
            print(f"Lỗi: {e}" if isinstance(e, ShipError) else f"Lỗi: gửi tới {dest} quá lâu.", file=sys.stderr)
            code = max(code, 3 if isinstance(e, Diverged) else 2)
            continue
        took = f"{time.monotonic() - start:.1f}".replace(".", ",")
        print(f"Đã gửi phiên bản {v.name} ({_size(v)}) tới {dest} trong {took} s.", flush=True)
    return code


def watch(db: Path, dests: list[str], interval: float = 2.0) -> int:
    """Ship now, then whenever the link names another version. A failed shipment is tried again at the next
    look; a host that diverged stops the watch (exit 3: systemd's OnFailure tells the administrator)."""
    shipped: Path | None = None
    while True:
        now = Path(os.path.realpath(db)) if db.is_symlink() else None
        if now is not None and now != shipped:
            code = ship_all(db, dests)
            if code == 3:
                return 3
            if code == 0:
                shipped = now
        time.sleep(interval)


def command(args) -> int:
    from core import catalog

    try:
        s = catalog.settings()
    except ValueError as e:
        print(f"Lỗi: {e}", file=sys.stderr)
        return 2
    db = Path(args.db or catalog.resolve(s["database"]))
    dests = args.to or [str(d) for d in s.get("ship_to") or []]
    if not dests:
        print("Lỗi: chưa có nơi gửi: --to rsync://MÁY/MODULE hoặc ship_to trong cấu hình.", file=sys.stderr)
        return 2
    if args.watch:
        print(f"Theo dõi {db}: gửi mỗi phiên bản mới tới {', '.join(dests)}. Ctrl-C để dừng.", flush=True)
        try:
            return watch(db, dests, args.interval)
        except KeyboardInterrupt:
            return 0
    return ship_all(db, dests, force=args.force)
