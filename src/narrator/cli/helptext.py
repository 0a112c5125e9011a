"""``--help`` in the reader's language: every help text of the command line is a key of
rules/messages.yaml (``help="help.check.figures"``), resolved when the command line runs —
after the language is known from ``--lang`` or NARRATOR_LANG, not when the module is imported.
click's own words in the help page (Usage, Options, [default: …], the --help line) go through
the same catalogue. Chinese characters take two columns of a terminal: the page's columns are
measured and its lines wrapped by display width."""

from __future__ import annotations

import sys
import unicodedata

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


def display_width(text: str) -> int:
    """Columns ``text`` takes in a terminal: two for wide and full-width characters."""
    if text.isascii():
        return len(text)
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


# never at the start of a line / never at its end (the usual rules for Chinese line breaking)
_NO_LINE_START = set("，。、；：？！）】」』”’》〉…%,.;:?!)]}")
_NO_LINE_END = set("（【「『“‘《〈([{")


def _pieces(text: str) -> list[str]:
    """Units a line may break between: a Latin word, a space, or one wide character, with
    closing punctuation kept on the unit before it and opening punctuation on the unit after."""
    out: list[str] = []
    word = ""
    for c in text:
        wide = unicodedata.east_asian_width(c) in "WF"
        if c == " " or wide or c in _NO_LINE_START or c in _NO_LINE_END:
            if word:
                out.append(word)
                word = ""
            if c in _NO_LINE_START and out:
                if out[-1] == " " and len(out) > 1:   # "word ，": the space stays inside the unit
                    out.pop()
                    out[-1] += " "
                out[-1] += c
            elif out and out[-1] and out[-1][-1] in _NO_LINE_END and c != " ":
                out[-1] += c
            else:
                out.append(c)
        elif out and out[-1] and out[-1][-1] in _NO_LINE_END and not word:
            out[-1] += c
        else:
            word += c
    if word:
        out.append(word)
    return out


def wrap_wide(text: str, width: int, first: str = "", rest: str = "") -> list[str]:
    """``text`` in lines of at most ``width`` terminal columns (a longer unbreakable unit stands
    alone), the first indented by ``first``, the others by ``rest``."""
    lines: list[str] = []
    line, used = first, display_width(first)
    for piece in _pieces(text.replace("\n", " ").strip()):
        w = display_width(piece)
        if piece == " ":
            if used > display_width(first if not lines else rest):
                line, used = line + " ", used + 1
            continue
        if used + w > width and line.strip():
            lines.append(line.rstrip())
            line, used = rest, display_width(rest)
        line, used = line + piece, used + w
    lines.append(line.rstrip())
    return lines


def _wide_aware_wrap(original):
    def wrap_text(text: str, width: int = 78, initial_indent: str = "", subsequent_indent: str = "",
                  preserve_paragraphs: bool = False) -> str:
        if text.isascii():
            return original(text, width, initial_indent, subsequent_indent, preserve_paragraphs)
        paragraphs = [p for p in text.split("\n\n") if p.strip()] if preserve_paragraphs else [text]
        return "\n\n".join("\n".join(wrap_wide(p, width, initial_indent, subsequent_indent))
                             for p in paragraphs)
    wrap_text.wide_aware = True
    return wrap_text


def install_click_words() -> None:
    """click's help-page words through the catalogue (once; both the vendored click of typer
    ≥ 0.28 and the click package before it)."""
    modules = [sys.modules.get(name) for name in ("typer.core", "typer._click.core", "typer._click.formatting",
                                                  "click.core", "click.formatting")]
    for module in modules:
        if module is not None and hasattr(module, "_"):
            module._ = _click_word
        if module is not None and hasattr(module, "term_len") and hasattr(module, "wrap_text"):
            module.term_len = display_width
            if not getattr(module.wrap_text, "wide_aware", False):
                module.wrap_text = _wide_aware_wrap(module.wrap_text)
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

