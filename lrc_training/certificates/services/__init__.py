"""The certificates area's use cases: each takes the acting user and plain values (or a schema), checks permission,
changes rows, flushes and writes the audit record, and never commits.

access           who may see and manage which certificates (load-and-authorise: get_for_view, get_for_manage)
issuing          issuing, revoking and reissuing; the registered certificate sources (CertificateSource)
numbering        each organization's settings and the level / award numbers (serials never handed out twice)
batches          a source's certificates as one PDF or a ZIP, built by the scheduler (certificates.batches)
manual           manual level certificates: a request by one staff member, approval by another
source_requests  issue requests from a source (a competition's promotions) addressed to an evaluator
verification     public verification by number + name or by the QR code's signed token
importing        filing manual requests in bulk from an Excel sheet
seals            the issuing organization's electronic seal (电子印章)
rendering        certificate PDFs (one, or many for a batch)
"""
