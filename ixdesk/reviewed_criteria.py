"""The sha256 of the reviewed criteria set (criteria/*.yaml). Written by `ixdesk criteria record`.

Kept outside criteria/ so that recording a review does not change what was reviewed. Do not edit by
hand: the loader compares the loaded set's sha256 with this one, and a set that differs is shown on
every screen and report as "criteria modified locally: not the reviewed set".
"""

SHA256 = "d933dcc250daeac66b8448b7785d9cd1a4f95ee9fab76bef8cc09eab0e2e99a1"
VERSION = "2026.12.1"
