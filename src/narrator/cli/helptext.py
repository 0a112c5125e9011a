"""``--help`` in the reader's language: every help text of the command line is a key of
rules/messages.yaml (``help="help.check.figures"``), resolved when the command line runs —
after the language is known from ``--lang`` or NARRATOR_LANG, not when the module is imported.
click's own words in the help page (Usage, Options, [default: …], the --help line) go through
the same catalogue."""

from __future__ import annotations

import sys

from typer.core import TyperGroup

from narrator.core.messages import LANGS, lang, messages, msg, set_lang

# click's words on a help page → message keys (looked up through click's gettext ``_``)
_CLICK_WORDS = {"Arguments": "help.section.arguments", "Options": "help.section.options",
                "Commands": "help.section.commands", "default: {default}": "help.default",
                "required": "help.required"}
# option value types → the placeholder shown after the option (--figures 文件)
# (type names differ between click versions: "str"/"text", "int"/"integer")
_METAVARS = {"path": "help.metavar.path", "str": "help.metavar.text", "text": "help.metavar.text",
             "int": "help.metavar.number", "integer": "help.metavar.number", "int range": "help.metavar.number",
             "integer range": "help.metavar.number"}


def lang_in(args: list[str]) -> str | None:
    """The value of ``--lang`` in ``args`` (before ``--``) when it is one narrator speaks."""
    end = args.index("--") if "--" in args else len(args)
    for i, a in enumerate(args[:end]):
        value = a[len("--lang="):] if a.startswith("--lang=") else (
            args[i + 1] if a == "--lang" and i + 1 < end else None)
        if value is not None:
            value = value.strip().lower()
            return value if value in LANGS else None
    return None


def _resolve(text: str | None) -> str | None:
    return msg(text) if text in messages() else text


def _click_word(text: str) -> str:
    key = _CLICK_WORDS.get(text)
    return messages()[key][lang()] if key else text      # the template: click fills {default}


def localise(command) -> None:
    """Resolve the help keys of ``command``, its parameters and its subcommands, in place."""
    command.help = _resolve(command.help)
    command.short_help = _resolve(command.short_help)
    if getattr(command, "options_metavar", None):
        command.options_metavar = msg("help.options_metavar")
    if getattr(command, "subcommand_metavar", None):
        command.subcommand_metavar = msg("help.subcommand_metavar")
    for param in command.params:
        param.help = _resolve(getattr(param, "help", None))
        type_name = getattr(param.type, "name", "")
        if param.metavar is not None:
            param.metavar = _resolve(param.metavar)
        elif param.param_type_name == "argument":
            param.metavar = param.name.upper()      # as usage errors name it (缺少参数 TEXT)
        elif not param.is_flag and (key := _METAVARS.get(type_name)):
            param.metavar = msg(key)
    for sub in getattr(command, "commands", {}).values():
        localise(sub)


def _localised_help(get_help):
    def get(self):
        text = get_help(self)
        usage = msg("help.usage")
        text = text.replace("Usage: ", usage, 1) if text.startswith("Usage: ") else text
        return text.replace("Show this message and exit.", msg("help.help_option"))
    get.localised = True
    return get


def install_click_words() -> None:
    """click's help-page words through the catalogue (once; both the vendored click of typer
    ≥ 0.28 and the click package before it)."""
    modules = [sys.modules.get(name) for name in ("typer.core", "typer._click.core", "typer._click.formatting",
                                                  "click.core", "click.formatting")]
    for module in modules:
        if module is not None and hasattr(module, "_"):
            module._ = _click_word
    contexts = [getattr(m, "Context", None) for m in modules if m is not None]
    for context in {c for c in contexts if c is not None}:
        if not getattr(context.get_help, "localised", False):
            context.get_help = _localised_help(context.get_help)


class LocalisedGroup(TyperGroup):
    """The root command: resolves every help key in the chosen language before it runs."""

    def main(self, args=None, *rest, **kwargs):
        args = list(sys.argv[1:] if args is None else args)
        chosen = lang_in(args)
        if chosen is not None:
            set_lang(chosen)
        install_click_words()
        localise(self)
        return super().main(args, *rest, **kwargs)

