"""A writer for the concurrency and crash tests: adds N requests to the log at URL, each in its own
transaction, and prints each id once it is committed."""

import datetime as dt
import sys

from sca_rates import store
from sca_rates.models.log import LoggedOffer, LoggedRequest


def main() -> None:
    url, count, tag = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    engine = store.connect(url)
    for i in range(count):
        request = LoggedRequest(
            payer=f"writer {tag}",
            level_of_care="PHP",
            requested_on=dt.date(2026, 11, 1),
            authorization_number=f"{tag}-{i}",  # notes are stored only with a key
            offers=tuple(LoggedOffer(side="payer", per_unit_usd=400 + j) for j in range(3)),
        )
        with store.transaction(engine) as session:
            request_id = store.add_request(session=session, request=request, actor=tag)
        print(request_id, flush=True)


if __name__ == "__main__":
    main()
