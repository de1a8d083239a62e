"""What an LDES feed's members say, kept on disk (SQLite), so that a dataset is written
with its distributions, publisher and contact points whatever page they came on.

A feed member is one entity's version: data.gov.be writes each dataset, distribution
and agent as a member of its own (an ActivityStreams event naming the entity, and a
named graph of what it says), often hundreds of pages apart. The store keeps each
entity's latest version (by ``as:published``, then by reading order) as what it says
about each subject, N-Triples text, and the links between subjects, so that:

- a dataset's description is joined across members by following its links, as on a
  single page (other datasets and catalogues stay a boundary);
- a member that changes marks its subjects dirty, and the datasets whose descriptions
  reach them are described again (and re-yielded when their hash changed);
- pages already read need not be read again: their members are here.

Memory stays flat whatever the feed's size: one page in memory at a time, everything
else in this file. Nothing from CKAN: a harvest passes the directory in.
"""

from __future__ import annotations

import json
import sqlite3
import uuid
from collections.abc import Iterable, Iterator
from pathlib import Path

__all__ = ["MemberStore"]

RDF_TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
DCAT_DATASET = "<http://www.w3.org/ns/dcat#Dataset>"
#: Typed so, a subject is a boundary of the descriptions that reach it.
BOUNDARY_TYPES = frozenset(
    {
        DCAT_DATASET,
        "<http://www.w3.org/ns/dcat#DatasetSeries>",
        "<http://www.w3.org/ns/dcat#Catalog>",
    }
)
_CHUNK = 500  # SQLite's host parameters per IN (...), and datasets per read
_DELETED = "deleted"  # the digest of a deleted entity's version

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT);
-- Pages read, in first-reading order (rowid: the scope of their blank-node labels).
-- A page with a relation to a page read after it is immutable (LDES): never re-read.
CREATE TABLE IF NOT EXISTS pages(
    id INTEGER PRIMARY KEY, url TEXT UNIQUE, links TEXT, immutable INTEGER DEFAULT 0);
-- Each entity's latest version: (published, read, position) orders versions.
CREATE TABLE IF NOT EXISTS members(
    id INTEGER PRIMARY KEY, key TEXT UNIQUE, published TEXT, read INTEGER,
    position INTEGER, digest TEXT, deleted INTEGER, deleted_run INTEGER);
-- What a member says about a subject: "predicate object" N-Triples lines.
CREATE TABLE IF NOT EXISTS said(
    subject TEXT, member INTEGER, body TEXT, PRIMARY KEY(subject, member)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS said_member ON said(member);
-- Subject -> node it points to (not through rdf:type): the way back from a change.
CREATE TABLE IF NOT EXISTS links(
    target TEXT, source TEXT, member INTEGER,
    PRIMARY KEY(target, source, member)) WITHOUT ROWID;
-- Subjects typed as datasets, series or catalogues (boundaries), by member.
CREATE TABLE IF NOT EXISTS kinds(
    subject TEXT, member INTEGER, PRIMARY KEY(subject, member)) WITHOUT ROWID;
-- The feed's datasets, in the order they first appeared, with what was last yielded.
CREATE TABLE IF NOT EXISTS datasets(
    subject TEXT PRIMARY KEY, ord INTEGER, guid TEXT, hash TEXT, url TEXT, modified TEXT);
CREATE INDEX IF NOT EXISTS datasets_ord ON datasets(ord, subject);
CREATE TABLE IF NOT EXISTS dirty(subject TEXT PRIMARY KEY) WITHOUT ROWID;
"""

Statement = tuple[str, str, str]


class MemberStore:
    """One feed's members in one SQLite file.

    ``fresh`` is true when the file was made anew: everything is then new, and
    nothing is tracked as dirty (every dataset is described at the end anyway).
    """

    def __init__(self, path: Path, store_id: str | None = None) -> None:
        self.path = path
        self.db = sqlite3.connect(path, isolation_level=None)
        # A crash mid-harvest leaves a file the next harvest does not trust (its run
        # differs from the harvest's memory) and makes anew: no journal needed.
        self.db.executescript("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;" + _SCHEMA)
        self.fresh = store_id is not None
        if self.fresh:
            self._set("id", store_id)
            self._set("run", "0")
        self.id = self._get("id")
        self.run = int(self._get("run") or 0) + 1  # this run's number
        self.db.execute("BEGIN")

    @classmethod
    def reopen(cls, path: Path, store_id: str, run: int) -> MemberStore | None:
        """The store at ``path`` if it is the one a harvest remembers as it left it."""
        if not path.is_file():
            return None
        try:
            store = cls(path)
        except sqlite3.DatabaseError:
            return None
        if store.id != store_id or store.run != run + 1:
            store.close()
            return None
        return store

    def close(self) -> None:
        if self.db.in_transaction:
            self.db.execute("COMMIT")
        self.db.close()

    def finish(self) -> int:
        """Ends this run (everything it read is kept); the run number to remember."""
        self.db.execute("DELETE FROM dirty")
        self._set("run", str(self.run))
        self.db.execute("COMMIT")
        self.db.execute("BEGIN")
        return self.run

    def _get(self, key: str) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def _set(self, key: str, value: str) -> None:
        self.db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))

    # -- pages ------------------------------------------------------------------

    def page_scope(self, url: str) -> int:
        """The page's number: stable, and the scope of its blank-node labels."""
        self.db.execute("INSERT OR IGNORE INTO pages(url) VALUES (?)", (url,))
        return self.db.execute("SELECT id FROM pages WHERE url = ?", (url,)).fetchone()[0]

    def next_read(self) -> int:
        """A number that grows with every page read, across runs (orders versions)."""
        read = int(self._get("read") or 0) + 1
        self._set("read", str(read))
        return read

    def page_read(self, url: str, hydra_next: list[str], tree_nodes: list[str]) -> None:
        """The page's members are stored: remember its next links, and commit."""
        links = json.dumps([hydra_next, tree_nodes])
        self.db.execute("UPDATE pages SET links = ? WHERE url = ?", (links, url))
        self.db.execute("COMMIT")
        self.db.execute("BEGIN")

    def immutable(self, url: str) -> None:
        self.db.execute("UPDATE pages SET immutable = 1 WHERE url = ?", (url,))

    def pages(self) -> tuple[list[str], list[str]]:
        """(pages known, those to read again: the ones not yet immutable), in order."""
        rows = self.db.execute(
            "SELECT url, immutable FROM pages WHERE links IS NOT NULL ORDER BY id"
        )
        known, frontier = [], []
        for url, immutable in rows:
            known.append(url)
            if not immutable:
                frontier.append(url)
        return known, frontier

    def links_of(self, url: str) -> tuple[list[str], list[str]]:
        """The Hydra next links and TREE nodes the page had when it was read."""
        row = self.db.execute("SELECT links FROM pages WHERE url = ?", (url,)).fetchone()
        hydra_next, tree_nodes = json.loads(row[0]) if row and row[0] else ([], [])
        return hydra_next, tree_nodes

    # -- members ----------------------------------------------------------------

    def put(
        self, key: str, version: tuple[str, int, int], digest: str, statements: list[Statement]
    ) -> None:
        """A member's version of entity ``key``, kept if newer than the one stored; an
        entity's versions are ordered by (published, read, position)."""
        self._version(key, version, digest, statements)

    def delete(self, key: str, version: tuple[str, int, int]) -> None:
        """An ActivityStreams Delete of entity ``key``: a version that says nothing."""
        self._version(key, version, _DELETED, None)

    def _version(self, key, version, digest, statements: list[Statement] | None) -> None:
        row = self.db.execute(
            "SELECT id, published, read, position, digest FROM members WHERE key = ?", (key,)
        ).fetchone()
        if row is not None and tuple(row[1:4]) >= version:
            return  # older than what is known (pages out of order), or the same read
        if row is not None and row[4] == digest:  # the same content again: newer only
            self.db.execute(
                "UPDATE members SET published = ?, read = ?, position = ? WHERE id = ?",
                (*version, row[0]),
            )
            return
        deleted = statements is None
        values = (*version, digest, int(deleted), self.run if deleted else None)
        if row is None:
            member = self.db.execute(
                "INSERT INTO members(published, read, position, digest, deleted, deleted_run,"
                " key) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (*values, key),
            ).lastrowid
        else:
            member = row[0]
            self._forget(member)
            self.db.execute(
                "UPDATE members SET published = ?, read = ?, position = ?, digest = ?,"
                " deleted = ?, deleted_run = ? WHERE id = ?",
                (*values, member),
            )
        if statements:
            self._say(member, statements, version)

    def _say(self, member: int, statements: list[Statement], version: tuple) -> None:
        by_subject: dict[str, list[str]] = {}
        links, kinds, datasets = set(), set(), []
        for s, p, o in statements:
            by_subject.setdefault(s, []).append(f"{p} {o}")
            if p == RDF_TYPE:
                if o in BOUNDARY_TYPES:
                    kinds.add(s)
                    if o == DCAT_DATASET:
                        datasets.append(s)
            elif not o.startswith('"'):
                links.add((o, s))
        self.db.executemany(
            "INSERT OR IGNORE INTO said VALUES (?, ?, ?)",
            ((s, member, "\n".join(dict.fromkeys(lines))) for s, lines in by_subject.items()),
        )
        self.db.executemany(
            "INSERT OR IGNORE INTO links VALUES (?, ?, ?)", ((t, s, member) for t, s in links)
        )
        self.db.executemany(
            "INSERT OR IGNORE INTO kinds VALUES (?, ?)", ((s, member) for s in kinds)
        )
        # The order datasets are yielded in: where they first appeared.
        order = version[1] * 2**20 + version[2]
        self.db.executemany(
            "INSERT OR IGNORE INTO datasets(subject, ord) VALUES (?, ?)",
            ((s, order) for s in dict.fromkeys(datasets)),
        )
        self._dirty(by_subject)

    def _forget(self, member: int) -> None:
        """Remove what a member's previous version said; its subjects become dirty."""
        said = self.db.execute("SELECT subject, body FROM said WHERE member = ?", (member,))
        subjects, links = [], []
        for subject, body in said.fetchall():
            subjects.append(subject)
            for line in body.split("\n"):
                predicate, obj = line.split(" ", 1)
                if predicate != RDF_TYPE and not obj.startswith('"'):
                    links.append((obj, subject, member))
        self.db.executemany(
            "DELETE FROM links WHERE target = ? AND source = ? AND member = ?", links
        )
        self.db.execute("DELETE FROM said WHERE member = ?", (member,))
        self.db.execute("DELETE FROM kinds WHERE member = ?", (member,))
        self._dirty(subjects)

    def _dirty(self, subjects: Iterable[str]) -> None:
        if not self.fresh:
            self.db.executemany("INSERT OR IGNORE INTO dirty VALUES (?)", ((s,) for s in subjects))

    # -- descriptions -----------------------------------------------------------

    def describe(self, root: str) -> list[Statement]:
        """What the current members say about ``root`` and the nodes it points to (its
        distributions, publisher, contact points…), not through rdf:type and not into
        other datasets or catalogues: the feed-wide form of a page's description."""
        statements: dict[Statement, None] = {}
        done, level, below = {root}, [root], False
        while level:
            found = []
            for chunk in _chunks(level):
                marks = ",".join("?" * len(chunk))
                query = f"SELECT subject, body FROM said WHERE subject IN ({marks})"
                if below:  # other datasets and catalogues are a boundary
                    query += (
                        " AND NOT EXISTS (SELECT 1 FROM kinds k WHERE k.subject = said.subject)"
                    )
                found += self.db.execute(query + " ORDER BY subject, member", chunk).fetchall()
            level, below = [], True
            for subject, body in found:
                for line in body.split("\n"):
                    predicate, obj = line.split(" ", 1)
                    statements[(subject, predicate, obj)] = None
                    if predicate != RDF_TYPE and not obj.startswith('"') and obj not in done:
                        done.add(obj)
                        level.append(obj)
        return list(statements)

    def affected(self) -> set[str] | None:
        """The datasets whose descriptions may have changed this run: those reaching a
        dirty subject (None: all of them, the store being new)."""
        if self.fresh:
            return None
        db = self.db
        db.execute("CREATE TEMP TABLE IF NOT EXISTS reach(node TEXT PRIMARY KEY, depth INTEGER)")
        db.execute("DELETE FROM reach")
        db.execute("INSERT INTO reach SELECT subject, 0 FROM dirty")
        depth = 0
        while True:
            # Back from each node to what points to it; not past a dataset or catalogue
            # (its own changes aside: those reached the datasets pointing to it).
            added = db.execute(
                "INSERT OR IGNORE INTO reach SELECT DISTINCT l.source, ? FROM reach r"
                " JOIN links l ON l.target = r.node WHERE r.depth = ?"
                " AND (r.depth = 0 OR NOT EXISTS (SELECT 1 FROM kinds k WHERE k.subject = r.node))",
                (depth + 1, depth),
            ).rowcount
            if not added:
                break
            depth += 1
        rows = db.execute("SELECT d.subject FROM datasets d JOIN reach r ON r.node = d.subject")
        return {subject for (subject,) in rows}

    def datasets(self) -> Iterator[tuple[str, str | None, str | None, str | None, str | None]]:
        """(subject, guid, hash, url, modified) of each dataset, in feed order, read in
        chunks so that the caller may update them meanwhile."""
        after: tuple = (-1, "")
        while True:
            rows = self.db.execute(
                "SELECT ord, subject, guid, hash, url, modified FROM datasets"
                " WHERE (ord, subject) > (?, ?) ORDER BY ord, subject LIMIT ?",
                (*after, _CHUNK),
            ).fetchall()
            if not rows:
                return
            for row in rows:
                yield row[1:]
            after = rows[-1][:2]

    def described(self, subject: str, guid: str, content_hash: str, url, modified) -> None:
        self.db.execute(
            "UPDATE datasets SET guid = ?, hash = ?, url = ?, modified = ? WHERE subject = ?",
            (guid, content_hash, url, modified, subject),
        )

    def forget(self, guids: list[str]) -> None:
        """The datasets last yielded under these guids are described again, with their
        payload, next run: the harvest could not save them."""
        for start in range(0, len(guids), _CHUNK):
            chunk = guids[start : start + _CHUNK]
            self.db.execute(
                "UPDATE datasets SET guid = NULL, hash = NULL"
                f" WHERE guid IN ({', '.join('?' * len(chunk))})",
                chunk,
            )

    def gone(self, subject: str) -> None:
        """The subject is no longer a dataset (deleted, or said otherwise)."""
        self.db.execute("DELETE FROM datasets WHERE subject = ?", (subject,))

    def deleted_now(self) -> list[str]:
        """Keys of the entities a Delete event removed this run."""
        rows = self.db.execute("SELECT key FROM members WHERE deleted_run = ?", (self.run,))
        return [key for (key,) in rows]


def new_store(directory: Path, prefix: str) -> MemberStore:
    """A new, empty store in ``directory``; older ones of the same prefix are removed."""
    directory.mkdir(parents=True, exist_ok=True)
    for old in directory.glob(f"{prefix}-*.sqlite3"):
        old.unlink(missing_ok=True)
    store_id = uuid.uuid4().hex
    return MemberStore(directory / f"{prefix}-{store_id}.sqlite3", store_id)


def _chunks(items: list[str]) -> Iterator[list[str]]:
    for start in range(0, len(items), _CHUNK):
        yield items[start : start + _CHUNK]
