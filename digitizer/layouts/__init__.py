"""Stage 6 (data): the report layouts, loaded from the YAML files beside this module.

A layout is a table of keys, labels and relations; the code in digitizer.mapping matches any
layout the same way, so adding one is adding a YAML file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import yaml

# Package data, read through importlib.resources (an installed wheel, a zip, a checkout alike).
LAYOUT_DIR = resources.files(__name__)
# A note in brackets after a label's first words ("（区分处理的，只计这一情形，不计其他情形）",
# "（单位：万元）"): reports may print the label without it. Not the numbering that opens a label.
_NOTE = re.compile(r"(?<=\w)[（(][^（()）]*[）)]")


@dataclass(frozen=True)
class AxisEntry:
    key: str
    label: str
    parent: str | None = None
    # Printed variants of the label seen in published reports (aliases.yaml and the layout's own).
    aliases: tuple[str, ...] = ()
    # An alternate row: the other template's drawing of some rows of this layout (a 2021 report's
    # table 三 may print the 2019 single （六）其他处理 row instead of its three sub-items). It is
    # reported only where it is printed, and then in place of the rows it stands for.
    instead_of: tuple[str, ...] = ()

    def labels(self) -> tuple[str, ...]:
        """The printed forms this row or column is matched against: its label and its aliases, each
        also without its parenthesised note."""
        printed = (self.label, *self.aliases)
        return tuple(dict.fromkeys(printed + tuple(_NOTE.sub("", label) for label in printed)))


@dataclass(frozen=True)
class Block:
    caption: str | None
    rows: tuple[AxisEntry, ...]
    cols: tuple[AxisEntry, ...]


@dataclass(frozen=True)
class TableSpec:
    key: str
    title: str
    keys_from: str  # "rows" or "column_header"
    blocks: tuple[Block, ...]
    # Printed words that identify the table without naming a key (申请人情况, 信息内容 …).
    words: tuple[str, ...] = ()

    def cell_keys(self, printed_alternates: frozenset[str] = frozenset()) -> list[tuple[str, str]]:
        """Every canonical (row, col) of the table, in print order: the layout's own rows, or,
        where `printed_alternates` names alternate rows found in print, those in their place."""
        entries = self.row_entries()
        replaced = {k for e in entries if e.key in printed_alternates for k in e.instead_of}
        left_out = replaced | {e.key for e in entries if e.instead_of and e.key not in printed_alternates}
        seen: dict[tuple[str, str], None] = {}
        for block in self.blocks:
            for row in block.rows:
                if row.key in left_out:
                    continue
                for col in block.cols:
                    seen[(row.key, col.key)] = None
        return list(seen)

    def all_cell_keys(self) -> list[tuple[str, str]]:
        """Every (row, col) the table may print, alternate rows included."""
        return list(dict.fromkeys((r.key, c.key) for b in self.blocks for r in b.rows for c in b.cols))

    def alternates(self) -> set[str]:
        """The keys of rows printed instead of others in some reports (`instead_of`)."""
        return {e.key for e in self.row_entries() if e.instead_of}

    def row_entries(self) -> list[AxisEntry]:
        """The table's rows over all its blocks, each key once, in layout order."""
        return _unique([r for b in self.blocks for r in b.rows])

    def col_entries(self) -> list[AxisEntry]:
        """The table's columns over all its blocks, each key once, in layout order."""
        return _unique([c for b in self.blocks for c in b.cols])

    def labels(self) -> list[str]:
        """Every printed form of the table's row and column labels."""
        return [label for e in self.row_entries() + self.col_entries() for label in e.labels()]

    def vocabulary(self) -> list[str]:
        """Everything the table prints that says which table it is: labels and their variants,
        parent labels, block captions and header words."""
        entries = self.row_entries() + self.col_entries()
        parents = [e.parent for e in entries if e.parent]
        captions = [b.caption for b in self.blocks if b.caption]
        return list(dict.fromkeys([*self.labels(), *parents, *captions, *self.words]))


def _unique(entries: list[AxisEntry]) -> list[AxisEntry]:
    out: dict[tuple[str, str], AxisEntry] = {}
    for entry in entries:
        out.setdefault((entry.key, entry.label), entry)
    return list(out.values())


@dataclass(frozen=True)
class Relation:
    id: str
    table: str
    per: str  # "col": evaluated for each column key; "row": for each row key
    lhs: tuple[str, ...]
    rhs: tuple[str, ...]


@dataclass(frozen=True)
class HistoryRelation:
    id: str
    table: str
    per: str
    lhs: tuple[str, ...]
    previous: tuple[str, ...]
    plus: tuple[str, ...] = ()
    minus: tuple[str, ...] = ()


@dataclass(frozen=True)
class Layout:
    name: str
    mandate: str
    years: tuple[int, int]
    tables: dict[str, TableSpec]
    relations: tuple[Relation, ...]
    value_kinds: dict[str, str]
    units_of: dict[str, str]
    units: dict[str, dict[str, float]]
    history: tuple[HistoryRelation, ...] = ()


def _entries(items: list[dict], aliases: dict[str, list[str]]) -> tuple[AxisEntry, ...]:
    return tuple(
        AxisEntry(
            str(i["key"]),
            str(i["label"]),
            i.get("parent"),
            tuple(dict.fromkeys(str(a) for a in [*i.get("aliases", ()), *aliases.get(str(i["key"]), ())])),
            tuple(i.get("instead_of", ())),
        )
        for i in items
    )


def parse_layout(data: dict, aliases: dict | None = None) -> Layout:
    """A layout from its YAML data; `aliases` (aliases.yaml: table -> key -> printed variants)
    adds the label variants of real reports to every entry of that key."""
    aliases = aliases or {}
    tables = {
        key: TableSpec(
            key,
            spec.get("title", key),
            spec.get("keys_from", "rows"),
            tuple(
                Block(b.get("caption"), _entries(b["rows"], aliases.get(key) or {}), _entries(b["cols"], aliases.get(key) or {}))
                for b in spec["blocks"]
            ),
            tuple(spec.get("words", ())),
        )
        for key, spec in data["tables"].items()
    }
    relations = tuple(
        Relation(r["id"], r["table"], r["per"], tuple(r["lhs"]), tuple(r["rhs"])) for r in data.get("relations", [])
    )
    history = tuple(
        HistoryRelation(h["id"], h["table"], h["per"], tuple(h["lhs"]), tuple(h["previous"]),
                        tuple(h.get("plus", ())), tuple(h.get("minus", ())))
        for h in data.get("history", [])
    )
    years = data.get("years", [0, 9999])
    return Layout(
        str(data["layout"]),
        data.get("mandate", ""),
        (int(years[0]), int(years[1])),
        tables,
        relations,
        dict(data.get("value_kinds", {})),
        dict(data.get("units_of", {})),
        {k: {u: float(f) for u, f in v.items()} for k, v in data.get("units", {}).items()},
        history,
    )


ALIASES_FILE = "aliases.yaml"


@lru_cache(maxsize=1)
def label_aliases() -> dict:
    """Printed label variants of real reports, by table and key (aliases.yaml; may be absent)."""
    path = LAYOUT_DIR / ALIASES_FILE
    if not path.is_file():
        return {}
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return {k: v for k, v in data.items() if isinstance(v, dict)}


@lru_cache(maxsize=1)
def load_layouts() -> tuple[Layout, ...]:
    """Every layout of the YAML files beside this module, with the real reports' aliases."""
    return tuple(
        parse_layout(yaml.safe_load(path.read_text(encoding="utf-8")), label_aliases())
        for path in sorted(LAYOUT_DIR.iterdir(), key=lambda p: p.name)
        if path.name.endswith(".yaml") and path.name != ALIASES_FILE
    )


def get_layout(name: str) -> Layout:
    """The layout of this name; KeyError if there is none."""
    for layout in load_layouts():
        if layout.name == name:
            return layout
    raise KeyError(name)
