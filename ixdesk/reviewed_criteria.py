"""The sha256 of the reviewed criteria set (criteria/*.yaml). Written by `ixdesk criteria record`.

Kept outside criteria/ so that recording a review does not change what was reviewed. Do not edit by
hand: the loader compares the loaded set's sha256 with this one, and a set that differs is shown on
every screen and report as "criteria modified locally: not the reviewed set".
"""

SHA256 = "a56abdd1d59fcb118634574ab22fa3b2d404ec7104cf18488c7e0109f821ac67"
VERSION = "2026.12.1"
