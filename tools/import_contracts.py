"""Import-linter contract types that the built-in ones do not cover (registered in pyproject.toml)."""

from __future__ import annotations

import grimp
from importlinter import Contract, ContractCheck, fields, output
from importlinter.application import contract_utils
from importlinter.application.contract_utils import AlertLevel


class AcyclicModulesContract(Contract):
    """No import circle between modules, wherever the modules sit.

    import-linter's ``acyclic_siblings`` compares the children of one package, so a circle between
    ``contacts.service`` and ``customers.service`` shows only as the packages ``contacts`` ↔ ``customers``,
    mixed with the package loops the layout allows (a domain's ``api.py`` imports ``telqc.api.deps`` while
    ``telqc.api`` composes domain services). Here an import ``a -> b`` breaks the contract when ``b``
    reaches ``a`` again; each circle is reported once, as the chain that closes it.
    """

    type_name = "acyclic_modules"

    ignore_imports = fields.SetField(subfield=fields.ImportExpressionField(), required=False)
    unmatched_ignore_imports_alerting = fields.EnumField(AlertLevel, default=AlertLevel.ERROR)

    def check(self, graph: grimp.ImportGraph, verbose: bool) -> ContractCheck:
        # import-linter types a contract's fields as the Field objects, not the values they parse into (its own
        # contracts ignore the same two arguments)
        removal = contract_utils.remove_ignored_imports_and_report(
            graph=graph, ignore_imports=self.ignore_imports,  # type: ignore[arg-type]
            unmatched_alerting=self.unmatched_ignore_imports_alerting)  # type: ignore[arg-type]
        circles: list[tuple[str, ...]] = []
        seen: set[frozenset[str]] = set()
        for module in sorted(graph.modules):
            for imported in sorted(graph.find_modules_directly_imported_by(module)):
                back = graph.find_shortest_chain(importer=imported, imported=module)
                if back and (members := frozenset(back)) not in seen:
                    seen.add(members)
                    circles.append((module, *back))
        return ContractCheck(kept=not circles, warnings=list(removal.warnings),
                             ignored_import_count=removal.ignored_import_count, metadata={"circles": circles})

    def render_broken_contract(self, check: ContractCheck) -> None:
        circles: list[tuple[str, ...]] = check.metadata["circles"]
        for circle in circles:
            output.print_error(f"- {' -> '.join(circle)}", bold=False)
        output.new_line()
