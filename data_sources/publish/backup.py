"""A backup is the whole state of a deployment, one file: ``python -m data_sources backup`` / ``restore``.

The archive is a plain tar holding the published database, the users file, the audit log, the personal
links' generations, the form's drafts, the reminders' mail log and the configuration files in force (the province's file, roster, unit registry, school list), with
``manifest.json``: each file's role, original path, size and SHA-256. The secrets file is never put in
a backup (it is kept apart by the administrator, as its template says), nor the links' signing key
(``<db>.link.key``, or ``[lien_ket] secret``: keep it with the secrets; without it every link is new). ``restore`` reads only the
files the manifest names, checks every checksum and that the database is an NQ71 database (every table
of schema.sql) before anything is written, then publishes the database as a new version and puts the
users file, the audit log and the side files back, keeping the ones it replaces beside them (``….truoc-khoi-phuc-…``).
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import re
import shutil
import tarfile
from dataclasses import dataclass
from pathlib import Path

import duckdb

from core import audit, catalog, drafts, links
from core.db import readable, sha256

from ..sql import load, statements
from .store import _locked, _next_version, _remove, _swap, disk_failure, published

FORMAT = "nq71-backup"
VERSION = 1
BACKUPS_KEPT = 14  # nightly backups kept in backup_dir (``backups_kept`` in the configuration)


class BackupError(Exception):
    """A backup that cannot be written or restored; the message is the Vietnamese one shown."""


@dataclass(frozen=True)
class Item:
    role: str  # database | users | audit | links | drafts | mail | config | roster | units | schools
    name: str  # its name inside the archive
    source: Path


def _side_files(db: Path) -> dict[str, tuple[str, Path, str]]:
    """The state kept beside the database besides users and audit: role -> (name in the archive, path, words).
    The personal links' generations (a restore must not revive a revoked link), the form's drafts, the
    reminders' mail log (outputs/remind.py writes ``<db>.mail.jsonl``; its window is judged from it)."""
    return {
        "links": ("links.json", links.store_path(db), "Đường dẫn riêng (lần cấp của từng đơn vị)"),
        "drafts": ("drafts.json", drafts.path_for(db), "Bản nháp biểu mẫu Nộp báo cáo"),
        "mail": ("mail.jsonl", Path(f"{db}.mail.jsonl"), "Nhật ký thư nhắc"),
    }


def _items(db: Path) -> list[Item]:
    """What makes up the deployment's state, where it is now."""
    items = [Item("database", "database.duckdb", db)]
    for role, name, path in (
        ("users", "users.csv", catalog.users_path()),
        ("audit", "audit.jsonl", audit.path_for(db)),
        *((role, name, path) for role, (name, path, _) in _side_files(db).items()),
        ("config", "config/tinh.toml", catalog.config_path()),
        ("roster", "config/roster.csv", catalog.roster_path()),
        ("units", "config/don_vi.csv", catalog.registry_path()),
        ("schools", "config/truong_hoc.csv", catalog.resolve(s) if (s := catalog.settings().get("schools")) else None),
    ):
        if path is not None and Path(path).is_file():
            items.append(Item(role, name, Path(path)))
    return items


def default_out() -> Path:
    folder = catalog.settings().get("backup_dir") or "data/sao_luu"
    return catalog.resolve(str(folder))


def backup(db_path: str | Path, out: str | Path | None = None, now: dt.datetime | None = None) -> Path:
    """Write the whole state to ``out`` (a .tar; a folder, or nothing: ``backup_dir``, a dated name in
    it, and only the newest ``backups_kept`` dated backups kept there)."""
    db = Path(db_path)
    if not db.exists():
        raise BackupError(f"Chưa có cơ sở dữ liệu «{db}» để sao lưu (kiểm tra database trong cấu hình).")
    now = now or dt.datetime.now()
    target = Path(out) if out else default_out()
    dated = not out or target.is_dir() or target.suffix.lower() != ".tar"  # a folder, made if missing
    if dated:
        target = target / f"nq71-{now:%Y%m%d-%H%M%S}.tar"
    target.parent.mkdir(parents=True, exist_ok=True)
    items = _items(db)
    files = {}
    tmp = target.with_name(f".{target.name}.{os.getpid()}")
    try:
        with tarfile.open(tmp, "w") as tar:
            for it in items:
                # the database link is resolved once: the version published now, a file never written again
                # the database: the newest version that checks out (size, SHA-256, opens), never a damaged one
                src = readable(it.source, check=True)[0] if it.role == "database" else it.source
                files[it.name] = {"role": it.role, "path": str(it.source), "bytes": src.stat().st_size,
                                  "sha256": sha256(src)}  # fmt: skip
                tar.add(src, arcname=it.name, recursive=False)
            manifest = {"format": FORMAT, "version": VERSION, "created": now.isoformat(timespec="seconds"),
                        "secrets": "không sao lưu: giữ riêng tệp bí mật", "files": files}  # fmt: skip
            data = json.dumps(manifest, ensure_ascii=False, indent=1).encode("utf-8")
            info = tarfile.TarInfo("manifest.json")
            info.size, info.mtime = len(data), int(now.timestamp())
            tar.addfile(info, io.BytesIO(data))
        os.replace(tmp, target)
    except OSError as e:
        tmp.unlink(missing_ok=True)
        why = "ổ đĩa đầy" if e.errno == 28 else "không có quyền ghi" if e.errno == 13 else "lỗi ghi tệp"
        raise BackupError(f"Không ghi được bản sao lưu «{target}» ({why}); kiểm tra chỗ trống và quyền ghi.") from None
    if dated:
        _prune_backups(target.parent)
    return target


def _prune_backups(folder: Path) -> None:
    kept = int(catalog.settings().get("backups_kept") or BACKUPS_KEPT)
    dated = sorted(p for p in folder.glob("nq71-*.tar") if re.fullmatch(r"nq71-\d{8}-\d{6}\.tar", p.name))
    for old in dated[: max(0, len(dated) - max(1, kept))]:
        old.unlink()


def _schema_tables() -> set[str]:
    """Every table schema.sql makes, read from an empty database it was run on."""
    con = duckdb.connect()
    try:
        for stmt in statements("schema"):
            con.execute(stmt)
        return {r[0] for r in con.execute(load("table_names")).fetchall()}
    finally:
        con.close()


def nq71_database_problem(path: Path) -> str | None:
    """None when ``path`` is an NQ71 database DuckDB opens with every table of schema.sql; else why
    not, in Vietnamese (DuckDB's own English never reaches a person)."""
    try:
        con = duckdb.connect(str(path), read_only=True)
    except (duckdb.Error, OSError):
        return "tệp không mở được như cơ sở dữ liệu DuckDB (hỏng, ghi dở, hoặc không phải cơ sở dữ liệu)"
    try:
        rows = con.execute(load("table_names")).fetchall()
    except duckdb.Error:
        return "tệp mở được nhưng không đọc được danh sách bảng (hỏng)"
    finally:
        con.close()
    missing = _schema_tables() - {r[0] for r in rows}
    if missing:
        return f"không phải cơ sở dữ liệu của bảng điều khiển NQ71 (thiếu {len(missing)} bảng, như {min(missing)})"
    return None


@dataclass(frozen=True)
class Restored:
    version: Path
    lines: list[str]


def restore(db_path: str | Path, source: str | Path, config_to: str | Path | None = None, by: str = "") -> Restored:
    """Put a backup back. A bare .duckdb (a backup from before archives) is restored as the database
    alone, after the same checks. Nothing is written unless every check passed."""
    src, db = Path(source), Path(db_path)
    if not src.is_file():
        raise BackupError(f"Không thấy tệp sao lưu «{src}».")
    if not tarfile.is_tarfile(src):
        problem = nq71_database_problem(src)
        if problem:
            raise BackupError(f"«{src}» không phải bản sao lưu của bảng điều khiển NQ71: {problem}. Chưa khôi phục gì.")
        version = _publish(db, src)
        audit.record(db, by or "dòng lệnh", None, "khoi_phuc", file=src.name, parts=["database"])
        return Restored(version, [f"Đã khôi phục cơ sở dữ liệu từ {src.name}: phiên bản mới {version.name}"])
    work = Path(db.parent) / f".khoi-phuc-{os.getpid()}"
    work.mkdir(parents=True, exist_ok=True)
    try:
        files, created = _unpack_checked(src, work)
        problem = nq71_database_problem(work / "database.duckdb")
        if problem:
            raise BackupError(
                f"Bản sao lưu «{src.name}» có cơ sở dữ liệu không dùng được: {problem}. Chưa khôi phục gì."
            )
        stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
        lines = []
        version = _publish(db, work / "database.duckdb")
        lines.append(f"Cơ sở dữ liệu: phiên bản mới {version.name}")
        words = {"users": "Người dùng", "audit": "Nhật ký thao tác"}
        targets = [("users", catalog.users_path()), ("audit", audit.path_for(db))]
        for role, (_, path, word) in _side_files(db).items():
            targets.append((role, path))
            words[role] = word
        for role, target in targets:
            name = next((n for n, f in files.items() if f["role"] == role), None)
            if name is None:
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            tmp = target.with_name(f".{target.name}.{os.getpid()}")
            shutil.copyfile(work / name, tmp)  # whole first: the file in use is replaced in one step
            if target.exists():
                aside = target.with_name(f"{target.name}.truoc-khoi-phuc-{stamp}")
                shutil.copy2(target, aside)
                lines.append(f"{words[role]}: bản đang dùng để lại ở {aside}")
            os.replace(tmp, target)
            lines.append(f"{words[role]}: đã đặt lại {target}")
        configs = [n for n, f in files.items() if f["role"] in ("config", "roster", "units", "schools")]
        if configs and config_to:
            out = Path(config_to)
            out.mkdir(parents=True, exist_ok=True)
            for n in configs:
                shutil.copyfile(work / n, out / Path(n).name)
            lines.append(f"Cấu hình ({len(configs)} tệp): chép vào {out} để xem lại trước khi dùng")
        elif configs:
            lines.append(f"Cấu hình ({len(configs)} tệp) có trong bản sao lưu; thêm --config-to THƯ_MỤC để lấy ra")
        audit.record(
            db, by or "dòng lệnh", None, "khoi_phuc", file=src.name, parts=sorted({files[n]["role"] for n in files})
        )
        return Restored(version, [f"Đã khôi phục {src.name} (tạo lúc {created:%H:%M %d/%m/%Y}):", *lines])
    finally:
        shutil.rmtree(work, ignore_errors=True)


ROLES = {"database.duckdb": "database", "users.csv": "users", "audit.jsonl": "audit", "links.json": "links",
         "drafts.json": "drafts", "mail.jsonl": "mail", "config/tinh.toml": "config",
         "config/roster.csv": "roster", "config/don_vi.csv": "units", "config/truong_hoc.csv": "schools"}  # fmt: skip


def _unpack_checked(src: Path, work: Path) -> tuple[dict[str, dict], dt.datetime]:
    """The manifest's files, each written to ``work`` under its own name only after its size and
    checksum agree (no member is extracted by a name the manifest does not list: no path tricks)."""
    broken = f"«{src.name}» không phải bản sao lưu NQ71 dùng được"
    try:
        with tarfile.open(src) as tar:
            try:
                m = json.load(tar.extractfile("manifest.json"))
            except (KeyError, ValueError, AttributeError):
                raise BackupError(f"{broken}: không có manifest.json đọc được. Chưa khôi phục gì.") from None
            if not isinstance(m, dict) or m.get("format") != FORMAT or not isinstance(m.get("files"), dict):
                raise BackupError(f"{broken}: manifest.json không phải của lệnh backup. Chưa khôi phục gì.")
            files = m["files"]
            if "database.duckdb" not in files:
                raise BackupError(f"{broken}: thiếu cơ sở dữ liệu. Chưa khôi phục gì.")
            try:
                created = dt.datetime.fromisoformat(str(m.get("created")))
            except ValueError:
                raise BackupError(f"{broken}: manifest.json không ghi thời điểm tạo. Chưa khôi phục gì.") from None
            for name, f in files.items():
                if name not in ROLES or not isinstance(f, dict):
                    raise BackupError(f"{broken}: tệp lạ «{name}» trong manifest. Chưa khôi phục gì.")
                f["role"] = ROLES[name]  # from the name: the manifest's own word is not trusted
                try:
                    member = tar.getmember(name)
                except KeyError:
                    raise BackupError(f"{broken}: thiếu tệp {name}. Chưa khôi phục gì.") from None
                if not member.isfile() or member.size != f.get("bytes"):
                    raise BackupError(f"{broken}: tệp {name} sai kích thước (bản sao lưu bị cắt?). Chưa khôi phục gì.")
                out = work / name
                out.parent.mkdir(parents=True, exist_ok=True)
                with tar.extractfile(member) as r, open(out, "wb") as w:
                    shutil.copyfileobj(r, w, 1 << 20)
                if sha256(out) != f.get("sha256"):
                    raise BackupError(f"{broken}: tệp {name} sai mã kiểm tra (bị hỏng hoặc bị sửa). Chưa khôi phục gì.")
            return files, created
    except (tarfile.TarError, EOFError, OSError) as e:
        if isinstance(e, OSError) and e.errno is not None:
            raise BackupError(f"Không đọc được «{src.name}» (lỗi đọc tệp, mã {e.errno}). Chưa khôi phục gì.") from None
        raise BackupError(f"{broken}: tệp tar bị cắt hoặc hỏng. Chưa khôi phục gì.") from None


def _publish(db: Path, source: Path) -> Path:
    with _locked(db):
        new = _next_version(db)
        try:
            shutil.copyfile(source, new)
            _swap(db, new)
        except BaseException as e:
            _remove(new)
            if (why := disk_failure(e)) is not None:
                raise BackupError(
                    f"Không khôi phục được: {why}. Chưa khôi phục gì; dữ liệu đang công bố giữ nguyên."
                ) from None
            raise
        published(db, new)
    return new
