"""The only folder that touches SpiffWorkflow.

``parsing`` turns a bundle into specs (or one clear refusal), ``serializer`` stores specs once and state
without them, ``runtime`` loads a workflow and runs it to its next wait state, ``compaction`` keeps the
live tree as small as its present, ``scripting`` is the restricted expression language, ``messages``
hands a message to the task waiting for it, ``scenarios`` runs a designer's scenario checks in memory.
"""
