"""A Safe (multisig) as FairGift's owner.

`contracts` (Safe v1.4.1 from the pinned ape-safe manifest), `proposals` (Safe transactions
waiting for signatures, as files), `owner_calls` (the owner's calls, checked and described),
`multisig` (propose, sign, execute), `cli` (`ape run fairgift safe …` and `owner …`)."""
