"""The selection pages. They attach to the registry's blueprint: registry/views/__init__.py creates `bp` and imports
these modules; importing this package alone adds nothing.

rounds  the lists (评选, 推荐, 评审任务, with their NAV entries), opening and editing a round, the round page, the
        panel, objections, moving the round on, finalizing, the honor certificate PDF
review  nominating and the reviewer's score sheet (errors at the nomination's row)
public  the public notices with their objection form, the honor certificate's public check
forms   the page forms: SchemaForms over schemas.py (rendering and CSRF; the schema validates)"""
