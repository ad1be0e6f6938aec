"""Links a parser stores are http(s) only (`portal.web_urls.web_url`, the one check); others are
dropped and counted into one warning per payload, so an operator sees that a source writes them
without a hostile feed filling the run with a warning per entry."""

from dataclasses import dataclass, field

from scrapers.records import ParseWarning

EXAMPLES = 3


@dataclass
class DroppedLinks:
    count: int = 0
    examples: list[str] = field(default_factory=list)

    def add(self, item_ref: str, url: str) -> None:
        self.count += 1
        if len(self.examples) < EXAMPLES:
            self.examples.append(f"{item_ref}: {url.strip()[:200]!r}")

    def warnings(self) -> list[ParseWarning]:
        if not self.count:
            return []
        shown = "; ".join(self.examples) + ("; …" if self.count > EXAMPLES else "")
        return [
            ParseWarning(f"enlaces descartados por no ser http ni https: {self.count} ({shown})")
        ]
