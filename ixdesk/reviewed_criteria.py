"""The sha256 of the reviewed criteria set (criteria/*.yaml). Written by `ixdesk criteria record`.

Kept outside criteria/ so that recording a review does not change what was reviewed. Do not edit by
hand: the loader compares the loaded set's sha256 with this one, and a set that differs is shown on
every screen and report as "criteria modified locally: not the reviewed set".
"""

SHA256 = "d2ee365ea880243f433a172ac889aee4286b50c3a535c22b5fd1c4b827accb09"
VERSION = "2026.12.1"
