"""Excel workbooks (.xlsx/.xlsm, and old .xls) of the nine 决算 tables: reading into Figures, writing the layout.

Reading (``read_workbook``)
---------------------------
A workbook as exported from the 决算 system, or as written by ``narrator init-workbook``:

* **The nine tables** — one sheet per table, or several tables stacked on one sheet. A table is
  found by its title cell (any cell that contains the official name or an alias, e.g.
  「区人社局2024年度收入决算表」, 「一般公共预算财政拨款基本支出决算表」); a sheet without a title
  cell is taken by its sheet name. Rows and columns are found by their official names, never by
  position: full/half-width brackets, quotes, spaces and leading 「一、」「（一）」「其中：」 do not count,
  and the aliases of rules/figures-schema.yaml and rules/workbook.yaml are understood.

  - 收入支出决算总表, 财政拨款收入支出决算总表 — two-sided: 收入 items and their amounts on the
    left, 支出 items on the right (行次 columns are skipped). In 财政拨款收入支出决算总表 the 支出
    side has the columns 小计 | 一般公共预算财政拨款 | 政府性基金预算财政拨款 | 国有资本经营预算财政拨款,
    and the rows under 年初财政拨款结转和结余 on the 收入 side are its parts.
  - 科目表 (收入决算表, 支出决算表, 一般公共预算财政拨款支出决算表, 基本支出决算明细表, 政府性基金 /
    国有资本经营预算财政拨款…决算表) — a 科目编码 column (「2080101」), or 类 | 款 | 项 columns
    (「208」|「01」|「01」, parents may be left blank), or code and name in one cell; a 科目名称
    column; one column per amount, named by its header (lowest header row wins: 本年支出 / 小计 →
    合计). A 「合计」 row gives the table's 合计. Side-by-side column groups (科目编码 | 科目名称 |
    决算数, repeated, as in the 基本支出决算明细表) are read group by group and their rows put in
    科目编码 order; 人员经费合计 / 公用经费合计 rows give those figures.
  - 财政拨款“三公”经费支出决算表 — a 预算数 group and a 决算数 group of columns (合计, 因公出国（境）费,
    公务用车购置及运行维护费 with 小计 | 公务用车购置费 | 公务用车运行维护费, 公务接待费), or the same
    transposed (items as rows, 预算数 / 决算数 as columns).

  「编制单位：…」 and 「金额单位：万元」 cells above a table give 单位 and 金额单位 when the 基本信息 sheet
  does not; 「2024年度」 in a title gives 年度.

* **Sheets for the figures outside the tables** (written by init-workbook; found by sheet name):

  =============  =========================================================================
  基本信息         项目 | 数值 | 说明 — 单位, 年度, 金额单位 (元 / 万元 / 亿元; blank = 万元)
  年初预算         项目 | 年初预算数 | 说明 — the named totals (一般公共预算财政拨款支出 …
                   机关运行经费), then a second block 科目编码 | 年初预算数 | 科目名称, one 项 per row
  上年             路径 | 数值 | 说明 — last year's figures by path, the same path as this year's
                   (收入支出决算总表.收入.本年收入合计, 支出决算表.科目.2080101.本年支出合计 …)
  机关运行经费, 三公经费说明, 政府采购, 国有资产占用, 预算绩效
                 项目 | 数值 | 说明 — one figure per row; 项目 is the name in the figures model,
                   nested names joined by 「.」 (车辆.其他用车, 整体支出.执行数, 管理情况.评级优);
                   a 绩效指标 is two rows 「整体支出.成本指标分值」「整体支出.成本指标得分」
  项目自评         one row per project: 项目名称 | 简称 | 科目编码 | 预算数 | 执行数 | 执行率 |
                   预算执行权重 | 预算执行得分 | 自评得分 | 成本指标分值 | 成本指标得分 | … |
                   主要产出和效益 (any 「X分值」「X得分」 pair of columns is an indicator X)
  文字说明         键 | 内容 — nested keys joined by 「.」 (支出用途.社会保障和就业支出,
                   科目说明.2080106.差异原因)
  =============  =========================================================================

  Sheets named 填写说明, 说明, 封面, 目录 and sheets holding none of the above are ignored.

* **Numbers** are read exactly as the cell shows them: a numeric cell is converted with
  ``Decimal(repr(float))`` and rounded (half up) to the decimals of its number format
  (「#,##0.00」 → 2, 「0.000」 → 3; a 「%」 format gives the percentage, 72.00% → 72.00); a
  General cell keeps what was typed (Excel's 15 significant digits) and amounts get at least two
  decimals, so 11121.2 becomes Decimal('11121.20'). Text cells such as 「11,121.20」 parse too;
  blank cells and cells holding only 「-」「—」 are absent. Formulas give their saved values.
* Errors name the sheet and the cell: ``sheet 收入决算表, cell C7: expected an amount, got 'abc'``.

Writing (``write_workbook``)
----------------------------
The same layout: a 填写说明 sheet, 基本信息, the nine tables as published (titles, two-level headers,
all 收入 items, the 类 of 支出 from rules/科目.yaml, the 经济分类 rows of the 基本支出决算明细表 from
rules/workbook.yaml), then the sheets above. Empty (``None``) for an officer to fill, or filled
from Figures. Amounts are written as exact numbers with a 「#,##0.00」 format (more decimals when
the figure has more), so writing then reading gives back the very same Decimals.

Modules: ``sheets`` (vocabulary, cells, sheets and regions), ``tables`` (each table kind read
into the tree), ``read`` (``read_workbook``), ``write`` (``write_workbook``). Figures back into a
tree or YAML text: :mod:`narrator.figures.dump`.
"""

from narrator.sources.workbook.read import read_workbook
from narrator.sources.workbook.write import write_workbook

__all__ = ["read_workbook", "write_workbook"]
