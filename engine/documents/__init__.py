"""Documents: the files a project's forms carry (采购文件, 响应文件, 合同, 验收书, 发票 …).

What a file is and what a form's file fields take are formats (``formats.file_kinds``,
``formats.file_fields``). Here: ``blob_store`` keeps content once, in chunks, streamed both ways;
``uploads`` receives a file for a task's field; ``attach`` binds a completion's files to it; ``reading``
finds what a person may read; ``dossier`` writes a project's archive copy.
"""
