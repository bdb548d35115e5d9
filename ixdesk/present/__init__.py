"""What each reader sees of an assessment (Qt-free): decision state, labels, sections, basis.

Meaning has one home: the window panel, the command line and the three reports read what this
package returns and never re-derive it from the engine's strings.
"""
