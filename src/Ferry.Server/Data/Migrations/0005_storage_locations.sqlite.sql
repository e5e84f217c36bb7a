-- Version 5, SQLite's part: the existing projects move onto locations and grants.
INSERT INTO storage_locations (name, endpoint_url, region, addressing_style, credential_source, profile_name, created_at, updated_at)
SELECT 'migrated-' || ROW_NUMBER() OVER (ORDER BY e, p, region) || ' ' || COALESCE(NULLIF(e, ''), 'aws') || ' ' || region || CASE WHEN p = '' THEN '' ELSE ' profile ' || p END,
       NULLIF(e, ''), region, CASE WHEN e = '' THEN 'virtual' ELSE 'path' END,
       CASE WHEN p = '' THEN 'default' ELSE 'profile' END, NULLIF(p, ''), first_at, first_at
FROM (SELECT COALESCE(endpoint_url, '') AS e, COALESCE(aws_profile, '') AS p, region, MIN(created_at) AS first_at
      FROM projects GROUP BY COALESCE(endpoint_url, ''), COALESCE(aws_profile, ''), region);

UPDATE projects SET storage_location_id = (
    SELECT l.id FROM storage_locations l
    WHERE COALESCE(l.endpoint_url, '') = COALESCE(projects.endpoint_url, '')
      AND COALESCE(l.profile_name, '') = COALESCE(projects.aws_profile, '')
      AND l.region = projects.region);

INSERT INTO storage_grants (location_id, company_id, bucket_pattern, shared, created_at)
SELECT p.storage_location_id, p.company_id, p.bucket_name,
       MAX(CASE WHEN EXISTS (SELECT 1 FROM projects o WHERE o.bucket_name = p.bucket_name
                         AND COALESCE(o.endpoint_url, '') = COALESCE(p.endpoint_url, '') AND o.company_id <> p.company_id) THEN 1 ELSE 0 END),
       MIN(p.created_at)
FROM projects p
GROUP BY p.storage_location_id, p.company_id, p.bucket_name;
